// Command youtube-comments prints the newest comments on a YouTube video.
// It calls the YouTube Data API through a Plugboard connection, so it
// holds no Google credentials of its own: Plugboard adds them (an OAuth
// 2.0 access token it keeps fresh, or an API key) on the way.
//
// Usage:
//
//	export PLUGBOARD_URL=http://127.0.0.1:8080
//	export PLUGBOARD_API_KEY=pb_...
//	go run ./shared/api/examples/youtube-comments -video VIDEO_ID
//
// Flags:
//
//	-video       the video's id, such as dQw4w9WgXcQ (required)
//	-connection  the connection's link name (default youtube_main)
//	-n           how many comments, 1 to 100 (default 10)
//	-plugboard   Plugboard's address (default $PLUGBOARD_URL)
//
// The API key is read from PLUGBOARD_API_KEY only: a flag would show it
// to anyone who lists the machine's processes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "youtube-comments:", err)
		os.Exit(1)
	}
}

// run parses the flags, fetches the comments and prints them to out.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("youtube-comments", flag.ContinueOnError)
	video := fs.String("video", "", "the video's id (required)")
	link := fs.String("connection", "youtube_main", "the YouTube connection's link name")
	n := fs.Int("n", 10, "how many comments, 1 to 100")
	base := fs.String("plugboard", orDefault(getenv("PLUGBOARD_URL"), "http://127.0.0.1:8080"),
		"Plugboard's address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := getenv("PLUGBOARD_API_KEY")
	switch {
	case *video == "":
		return errors.New("give the video's id with -video")
	case *n < 1 || *n > 100:
		return errors.New("-n must be 1 to 100, as the YouTube Data API allows")
	case key == "":
		return errors.New("set PLUGBOARD_API_KEY to your Plugboard API key")
	}

	hc := api.New(*base, api.WithAPIKey(key)).HTTPClient(*link)
	comments, err := newestComments(ctx, hc, *video, *n)
	if err != nil {
		return err
	}
	printComments(out, *video, comments)
	return nil
}

// comment is a top-level comment on a video.
type comment struct {
	Author      string    `json:"authorDisplayName"`
	Text        string    `json:"textDisplay"`
	PublishedAt time.Time `json:"publishedAt"`
}

// threadList is the part of the commentThreads.list answer (kind
// youtube#commentThreadListResponse) this program reads.
type threadList struct {
	Items []struct {
		Snippet struct {
			TopLevelComment struct {
				Snippet comment `json:"snippet"`
			} `json:"topLevelComment"`
		} `json:"snippet"`
	} `json:"items"`
}

// newestComments asks for a video's comment threads, newest first. The
// request's path is relative to the service's api_base_url
// (https://www.googleapis.com/youtube/v3 for the built-in YouTube
// service); hc sends it through the connection's proxy.
func newestComments(ctx context.Context, hc *http.Client, video string, n int) ([]comment, error) {
	q := url.Values{
		"part":       {"snippet"},
		"videoId":    {video},
		"order":      {"time"},
		"maxResults": {strconv.Itoa(n)},
		// Plain text reads better in a terminal than the default HTML.
		"textFormat": {"plainText"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "commentThreads?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, answerError(resp)
	}

	var list threadList
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("read comments: %w", err)
	}
	out := make([]comment, 0, len(list.Items))
	for _, it := range list.Items {
		out = append(out, it.Snippet.TopLevelComment.Snippet)
	}
	return out, nil
}

// answerError explains an error answer. Plugboard's own answers are
// problem documents whose detail says what to do, such as authorizing
// the connection again; YouTube's are passed on as it sent them.
func answerError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == shared.ProblemContentType {
		var p shared.Problem
		if err := json.Unmarshal(body, &p); err == nil && p.Code != "" {
			return fmt.Errorf("plugboard: %w", &p)
		}
	}
	return fmt.Errorf("youtube answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
}

// printComments writes one block per comment: when, who, and the text,
// indented.
func printComments(w io.Writer, video string, comments []comment) {
	if len(comments) == 0 {
		fmt.Fprintf(w, "No comments on %s.\n", video)
		return
	}
	fmt.Fprintf(w, "Newest comments on %s:\n", video)
	for _, c := range comments {
		when := c.PublishedAt.UTC().Format("2006-01-02 15:04 MST")
		text := strings.ReplaceAll(strings.TrimSpace(c.Text), "\n", "\n    ")
		fmt.Fprintf(w, "\n%s  %s\n    %s\n", when, c.Author, text)
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
