// Package testenv starts throwaway real servers for integration tests.
package testenv

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumNames are the executables tried, Debian's first. CHROMIUM, when
// set, names the one to use.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium starts a headless Chromium for t with a throwaway profile and
// returns a chromedp context on its first tab; the browser stops when t
// ends. Without Chromium the test is skipped with how to install it, or
// fails under CI=true.
func Chromium(t testing.TB) context.Context {
	t.Helper()
	return chromium(t)
}

// ChromiumTrustingAnyCert is Chromium for pages served with a throwaway
// certificate: it accepts any certificate.
func ChromiumTrustingAnyCert(t testing.TB) context.Context {
	t.Helper()
	return chromium(t, chromedp.Flag("ignore-certificate-errors", true))
}

func chromium(t testing.TB, more ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		// Under CI a missing browser is a failure, never a skip.
		if os.Getenv("CI") == "true" {
			t.Fatal("testenv: Chromium not found: apt-get install chromium")
		}
		t.Skip("testenv: Chromium not found: apt-get install chromium")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // runs as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	}, more...)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser and binds it to ctx itself, not to a
	// derived context that would close the tab when it ends.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("testenv: start chromium %s: %v", path, err)
	}
	return ctx
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
