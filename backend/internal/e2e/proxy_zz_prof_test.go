package e2e

import (
	"net/http"
	"testing"
	"time"
)

func BenchmarkProxyZZProfile(b *testing.B) {
	targets := proxyBenchSetup(b)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 512, IdleConnTimeout: 90 * time.Second}}
	proxyLoad(hc, targets[2], 8, 1000)
	b.ResetTimer()
	r := proxyLoad(hc, targets[2], 8, 30000)
	b.Logf("rps %.0f cpu/req %v", r.rps(), r.cpuPerRequest())
}
