package e2e

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

func BenchmarkProxyZZSpikes(b *testing.B) {
	targets := proxyBenchSetup(b)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 512, IdleConnTimeout: 90 * time.Second}}
	t0 := time.Now()
	var mu sync.Mutex
	worst := map[int]time.Duration{}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for time.Since(t0) < 25*time.Second {
				req, _ := http.NewRequest("GET", targets[2].url, nil)
				req.Header.Set("Authorization", targets[2].auth)
				s := time.Now()
				resp, err := hc.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(s)
				k := int(s.Sub(t0) / (500 * time.Millisecond))
				mu.Lock()
				if d > worst[k] {
					worst[k] = d
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for k := 0; k < 50; k++ {
		if worst[k] > 50*time.Millisecond {
			b.Logf("t=%.1fs worst %v", float64(k)/2, worst[k])
		}
	}
}
