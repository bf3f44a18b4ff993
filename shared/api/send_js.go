//go:build js && wasm

package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"syscall/js"
)

// defaultSend sends requests with the browser's fetch. Going through
// http.Client would link net/http's whole transport (dialer, TLS, HTTP/2)
// into the WebAssembly app and more than double its size, though the
// browser never uses it. The browser adds the session cookie of the
// page's own origin itself.
func defaultSend(req *http.Request) (*http.Response, error) {
	init, err := fetchInit(req)
	if err != nil {
		return nil, err
	}
	abort := js.Global().Get("AbortController").New()
	init.Set("signal", abort.Get("signal"))

	done := make(chan fetchResult, 1)
	onOK := js.FuncOf(func(this js.Value, args []js.Value) any {
		readResponse(args[0], done)
		return nil
	})
	defer onOK.Release()
	onErr := js.FuncOf(func(this js.Value, args []js.Value) any {
		done <- fetchResult{err: errors.New("fetch: " + args[0].Get("message").String())}
		return nil
	})
	defer onErr.Release()
	js.Global().Call("fetch", req.URL.String(), init).Call("then", onOK, onErr)

	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		r.resp.Request = req
		return r.resp, nil
	case <-req.Context().Done():
		abort.Call("abort")
		return nil, req.Context().Err()
	}
}

type fetchResult struct {
	resp *http.Response
	err  error
}

// fetchInit turns req into the options of a fetch call.
func fetchInit(req *http.Request) (js.Value, error) {
	init := js.Global().Get("Object").New()
	init.Set("method", req.Method)
	init.Set("credentials", "same-origin")
	headers := js.Global().Get("Headers").New()
	for k, vs := range req.Header {
		for _, v := range vs {
			headers.Call("append", k, v)
		}
	}
	init.Set("headers", headers)
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return js.Value{}, err
		}
		if len(b) > 0 {
			arr := js.Global().Get("Uint8Array").New(len(b))
			js.CopyBytesToJS(arr, b)
			init.Set("body", arr)
		}
	}
	return init, nil
}

// readResponse reads a fetch Response whole and sends it to done. API
// answers are small, so streaming them would buy nothing.
func readResponse(r js.Value, done chan<- fetchResult) {
	resp := &http.Response{
		Status:     strconv.Itoa(r.Get("status").Int()) + " " + r.Get("statusText").String(),
		StatusCode: r.Get("status").Int(),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
	}
	it := r.Get("headers").Call("entries")
	for {
		n := it.Call("next")
		if n.Get("done").Bool() {
			break
		}
		pair := n.Get("value")
		resp.Header.Add(pair.Index(0).String(), pair.Index(1).String())
	}

	var onBody, onErr js.Func
	onBody = js.FuncOf(func(this js.Value, args []js.Value) any {
		defer onBody.Release()
		defer onErr.Release()
		arr := js.Global().Get("Uint8Array").New(args[0])
		b := make([]byte, arr.Get("length").Int())
		js.CopyBytesToGo(b, arr)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		done <- fetchResult{resp: resp}
		return nil
	})
	onErr = js.FuncOf(func(this js.Value, args []js.Value) any {
		defer onBody.Release()
		defer onErr.Release()
		done <- fetchResult{err: errors.New("fetch: read body: " + args[0].Get("message").String())}
		return nil
	})
	r.Call("arrayBuffer").Call("then", onBody, onErr)
}

// defaultRoundTrip sends one request with fetch.
func defaultRoundTrip(req *http.Request) (*http.Response, error) {
	return defaultSend(req)
}
