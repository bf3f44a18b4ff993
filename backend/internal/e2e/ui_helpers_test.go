package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared/api"
)

// Limits of the browser tests.
const (
	// uiWait bounds each wait for the page to reach a state. A trip to
	// the provider and back loads the app anew, which takes a few seconds.
	uiWait = 30 * time.Second
	// uiWidth and uiHeight are the desktop window; uiPhoneWidth is the
	// narrow phone the layout must fit.
	uiWidth      = 1280
	uiHeight     = 900
	uiPhoneWidth = 375
)

// uiChromiumEnv names the environment variable that, when set, holds the
// Chromium binary to drive instead of Debian's.
const uiChromiumEnv = "PLUGBOARD_CHROMIUM"

// uiEnter makes the repository root the working directory for the rest of
// the test, since the server serves web/ relative to it, and checks that
// the web app is built and newer than its sources. It returns the root.
func uiEnter(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	t.Chdir(root)

	wasm, err := os.Stat(filepath.Join(root, "web", "app.wasm"))
	if err != nil {
		t.Fatalf("web/app.wasm is missing: run `make web/app.wasm` in the repository root (%v)", err)
	}
	if src := uiNewerSource(root, wasm.ModTime()); src != "" {
		t.Fatalf("web/app.wasm is older than %s: run `make web/app.wasm` in the repository root", src)
	}
	return root
}

// uiNewerSource returns a Go file the web app is built from that changed
// after built, or "".
func uiNewerSource(root string, built time.Time) string {
	var newer string
	for _, dir := range []string{"app", "shared"} {
		filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || newer != "" || d.IsDir() || !strings.HasSuffix(path, ".go") ||
				strings.HasSuffix(path, "_test.go") {
				return nil
			}
			if fi, err := d.Info(); err == nil && fi.ModTime().After(built) {
				newer, _ = filepath.Rel(root, path)
			}
			return nil
		})
	}
	return newer
}

// uiServer is a Plugboard for one test, with an API client that signs in
// with the first owner's key to check what the browser did.
type uiServer struct {
	srv *server.Server
	api *api.Client
}

// uiStartServer starts Plugboard with an empty data folder. Outbound
// requests may reach loopback, where the test's providers run. The log is
// printed when the test fails.
//
// With host "localhost" Plugboard is reached at http://localhost:port
// while the providers stay at 127.0.0.1: a different site, as a real
// provider is, so the trip there and back crosses sites and meets the
// session cookie's SameSite rule as it would in use.
func uiStartServer(t *testing.T, host string) *uiServer {
	t.Helper()
	var cfg server.Config
	if host != "" {
		port := freePort(t)
		cfg.Addr = "127.0.0.1:" + port
		cfg.PublicURL = "http://" + host + ":" + port
	}
	pb := startPlugboard(t, withConfig(cfg), withLogs(slog.LevelInfo))
	return &uiServer{srv: pb.srv, api: api.New(pb.srv.URL(), api.WithAPIKey(pb.key))}
}

// uiBrowser is one headless Chromium for a test. Each tab it opens has a
// browser context of its own, with no cookies or storage of the others.
type uiBrowser struct {
	ctx context.Context
}

// uiStartBrowser starts Debian's Chromium with a fresh profile for the
// length of the test. It never downloads a browser: a missing one fails
// the test with the way to install it.
func uiStartBrowser(t *testing.T) *uiBrowser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(uiChromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(uiWidth, uiHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &uiBrowser{ctx: ctx}
}

// uiChromium returns the browser binary to drive.
func uiChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(uiChromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("chromium is not installed: run `make browser` (Debian's package), or set %s", uiChromiumEnv)
	return ""
}

// uiTab is one browser tab that a test drives. Its methods fail the test
// when the page does not get where it should within uiWait, saving a
// screenshot and the page's text and console to say where it was.
type uiTab struct {
	t       *testing.T
	ctx     context.Context
	shots   string
	console *logBuffer
}

// tab opens a tab in a browser context of its own; screenshots go to
// dir. The tab's console output is printed when the test fails.
func (b *uiBrowser) tab(t *testing.T, dir string) *uiTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tab := &uiTab{t: t, ctx: ctx, shots: dir, console: &logBuffer{}}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			fmt.Fprintf(tab.console, "console.%s:%s\n", ev.Type, uiArgs(ev.Args))
		case *runtime.EventExceptionThrown:
			fmt.Fprintf(tab.console, "exception: %s\n", uiException(ev.ExceptionDetails))
		}
	})
	if err != nil {
		t.Fatalf("listen to the tab's console: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("browser console:\n%s", tab.console.String())
		}
	})
	return tab
}

func uiArgs(args []*runtime.RemoteObject) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteByte(' ')
		if a.Value != nil {
			b.Write(a.Value)
		} else {
			b.WriteString(a.Description)
		}
	}
	return b.String()
}

func uiException(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "?"
	}
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

// open loads url and waits until the WebAssembly app runs.
func (b *uiTab) open(url string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		b.fail("open %s: %v", url, err)
	}
	b.waitApp()
}

// waitApp waits for the page to be loaded and the app to run: go-app
// removes its loader once the WebAssembly module started.
func (b *uiTab) waitApp() {
	b.t.Helper()
	b.waitJS("the app to start", `document.readyState === "complete" && `+
		`!!document.querySelector("body") && !document.getElementById("app-wasm-loader")`)
}

// waitJS waits until the JavaScript expression cond is true. Errors count
// as not yet: the page may be between two documents.
func (b *uiTab) waitJS(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(uiWait)
	var last error
	for {
		ok, err := b.eval(cond)
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			b.fail("waited %s for %s (last error: %v)", uiWait, what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval evaluates a boolean expression once, bounded by uiWait.
func (b *uiTab) eval(expr string) (bool, error) {
	ctx, cancel := context.WithTimeout(b.ctx, uiWait)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
}

// waitText waits until the element that scope selects shows text.
func (b *uiTab) waitText(scope, text string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("%q in %s", text, scope), fmt.Sprintf(
		`(() => { const el = document.querySelector(%s); `+
			`return !!el && el.innerText.includes(%s); })()`, uiJS(scope), uiJS(text)))
}

// waitPath waits until the address's path is path.
func (b *uiTab) waitPath(path string) {
	b.t.Helper()
	b.waitJS("the address "+path, fmt.Sprintf(`location.pathname === %s`, uiJS(path)))
}

// waitValue waits until the input with the given id holds want.
func (b *uiTab) waitValue(id, want string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("#%s to hold %q", id, want), fmt.Sprintf(
		`document.getElementById(%s)?.value === %s`, uiJS(id), uiJS(want)))
}

// text returns what the element that scope selects shows, or "".
func (b *uiTab) text(scope string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const el = document.querySelector(%s); return el ? el.innerText : ""; })()`,
		uiJS(scope))))
	if err != nil {
		b.fail("read the text of %s: %v", scope, err)
	}
	return s
}

// value returns the value of the input with the given id.
func (b *uiTab) value(id string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const el = document.getElementById(%s); return el ? el.value : ""; })()`,
		uiJS(id))))
	if err != nil {
		b.fail("read the value of #%s: %v", id, err)
	}
	return s
}

// location returns the address the tab shows.
func (b *uiTab) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("read the address: %v", err)
	}
	return loc
}

// uiJS quotes a Go string as a JavaScript string literal.
func uiJS(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// uiNamed is a JavaScript expression for the first visible, enabled
// button, link, tab or label inside scope whose text or accessible label
// is name, or null.
func uiNamed(scope, name string) string {
	return fmt.Sprintf(`(() => {
		const root = document.querySelector(%s);
		if (!root) return null;
		for (const el of root.querySelectorAll("button, a, label, [role=tab]")) {
			const names = [el.textContent.trim(), el.getAttribute("aria-label")];
			if (names.includes(%s) && !el.disabled && el.getClientRects().length > 0) return el;
		}
		return null;
	})()`, uiJS(scope), uiJS(name))
}

// uiCSS is a JavaScript expression for the first element sel selects.
func uiCSS(sel string) string {
	return fmt.Sprintf(`document.querySelector(%s)`, uiJS(sel))
}

// uiPoint is where a person would click.
type uiPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// reach waits until the element that find (a JavaScript expression)
// yields is on screen and not covered by another, scrolled to the middle
// of the window, and returns its center.
func (b *uiTab) reach(what, find string) uiPoint {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => {
		const el = %s;
		if (!el || el.disabled) return null;
		el.scrollIntoView({block: "center", inline: "center"});
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return null;
		const x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = document.elementFromPoint(x, y);
		if (!hit || !(el === hit || el.contains(hit) || (el.control && el.control === hit))) return null;
		return {x, y};
	})()`, find)
	deadline := time.Now().Add(uiWait)
	var last error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, uiWait)
		p, err := chromedp.Run(ctx, chromedp.Evaluate[*uiPoint](expr))
		cancel()
		if err == nil && p != nil {
			return *p
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			b.fail("waited %s for %s to be clickable (last error: %v)", uiWait, what, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// click clicks, with the mouse, the element that find yields.
func (b *uiTab) click(what, find string) {
	b.t.Helper()
	p := b.reach(what, find)
	err := chromedp.Do(b.ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, p.X, p.Y),
		chromedp.MouseClickXY(p.X, p.Y),
	)
	if err != nil {
		b.fail("click %s: %v", what, err)
	}
}

// clickNamed clicks the control inside scope named name.
func (b *uiTab) clickNamed(scope, name string) {
	b.t.Helper()
	b.click(fmt.Sprintf("%q in %s", name, scope), uiNamed(scope, name))
}

// hover moves the mouse over the element that find yields.
func (b *uiTab) hover(what, find string) {
	b.t.Helper()
	p := b.reach(what, find)
	if err := chromedp.Do(b.ctx, chromedp.MouseEvent(chromedp.MouseMoved, p.X, p.Y)); err != nil {
		b.fail("hover over %s: %v", what, err)
	}
}

// fill types text into the input with the given id, replacing what it
// held, as a person would: focus, select all, type. On a busy machine the
// app's re-render after one keystroke can land while later keys are
// being typed and put back an older value, as it would for a very fast
// typist; a person would see it and type again, and so does fill, once.
func (b *uiTab) fill(id, text string) {
	b.t.Helper()
	if b.typeInto(id, text) {
		return
	}
	if !b.typeInto(id, text) {
		b.fail("#%s after typing twice: got %q, want %q", id, b.value(id), text)
	}
}

// typeInto is one attempt of fill; it reports whether the input holds
// text within a few seconds.
func (b *uiTab) typeInto(id, text string) bool {
	b.t.Helper()
	b.click("#"+id, uiCSS("#"+id))
	focused, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(
		`(() => { const el = document.getElementById(%s); el.select(); `+
			`return document.activeElement === el; })()`, uiJS(id))))
	if err != nil || !focused {
		b.fail("focus #%s: focused %v, %v", id, focused, err)
	}
	if text == "" {
		err = chromedp.Do(b.ctx, chromedp.KeyEvent("\b"))
	} else {
		err = chromedp.Do(b.ctx, chromedp.KeyEvent(text))
	}
	if err != nil {
		b.fail("type into #%s: %v", id, err)
	}
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if b.value(id) == text {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// viewport resizes the window's layout to width by height.
func (b *uiTab) viewport(width, height int64) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, height)); err != nil {
		b.fail("resize to %dx%d: %v", width, height, err)
	}
}

// overflow returns how many pixels the page is wider than the window.
func (b *uiTab) overflow() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](
		`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		b.fail("measure the page: %v", err)
	}
	return n
}

// shot saves a screenshot of the whole page as name.png and fails the
// test if it is blank.
func (b *uiTab) shot(name string) {
	b.t.Helper()
	b.capture(name, chromedp.FullScreenshot(100))
}

// shotWindow saves a screenshot of the window only, as a person sees it.
// Open dialogs want it: their backdrop covers the window, not the page
// below it.
func (b *uiTab) shotWindow(name string) {
	b.t.Helper()
	b.capture(name, chromedp.CaptureScreenshot())
}

func (b *uiTab) capture(name string, action chromedp.Action[[]byte]) {
	b.t.Helper()
	b.waitJS("the fonts", `document.fonts.status === "loaded"`)
	buf, err := chromedp.Run(b.ctx, action)
	if err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	if why := uiBlank(buf); why != "" {
		b.t.Errorf("screenshot %s looks blank: %s", name, why)
	}
	b.save(name, buf)
}

func (b *uiTab) save(name string, buf []byte) {
	b.t.Helper()
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fail stops the test with msg, after saving what the tab showed.
func (b *uiTab) fail(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		name := "FAILED-" + strings.NewReplacer("/", "-", " ", "_").Replace(b.t.Name())
		b.save(name, buf)
		msg += "\nscreenshot: " + filepath.Join(b.shots, name+".png")
	}
	if len(text) > 3000 {
		text = text[:3000] + "…"
	}
	b.t.Fatalf("%s\naddress: %s\npage text:\n%s", msg, loc, text)
}

// The thresholds of uiBlank: a page with content has many colors and a
// fair share of pixels that differ from its background.
const (
	uiMinColors  = 16
	uiMinInkRate = 0.01
)

// uiBlank returns why a PNG screenshot looks blank (it is not a PNG, it
// has too few colors, or almost every pixel is the background color), or
// "" when it shows content.
func uiBlank(buf []byte) string {
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		return "not a PNG: " + err.Error()
	}
	colors, bg, total := uiColors(img)
	if len(colors) < uiMinColors {
		return fmt.Sprintf("%d distinct colors, want at least %d", len(colors), uiMinColors)
	}
	ink := float64(total-colors[bg]) / float64(total)
	if ink < uiMinInkRate {
		return fmt.Sprintf("%.2f%% of the pixels differ from the background, want at least %.0f%%",
			100*ink, 100*uiMinInkRate)
	}
	return ""
}

// uiColors counts each color of img, and returns the most frequent one
// and the number of pixels.
func uiColors(img image.Image) (counts map[uint32]int, top uint32, total int) {
	counts = map[uint32]int{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			c := cr>>8<<16 | cg>>8<<8 | cb>>8
			counts[c]++
			if counts[c] > counts[top] {
				top = c
			}
		}
	}
	return counts, top, r.Dx() * r.Dy()
}

// lastID returns the id of the last element sel selects, or "".
func (b *uiTab) lastID(sel string) string {
	b.t.Helper()
	id, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const all = document.querySelectorAll(%s); `+
			`return all.length ? all[all.length - 1].id : ""; })()`, uiJS(sel))))
	if err != nil {
		b.fail("find %s: %v", sel, err)
	}
	return id
}

// is evaluates a boolean expression once and fails the test on an error.
func (b *uiTab) is(expr string) bool {
	b.t.Helper()
	ok, err := b.eval(expr)
	if err != nil {
		b.fail("evaluate %s: %v", expr, err)
	}
	return ok
}
