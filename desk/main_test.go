package desk_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/creditflow/creditflow/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// chromium is Debian's package, which .ci/run installs when missing.
const chromium = "/usr/bin/chromium"

var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
)

// sharedBrowser is the package's one headless Chromium, started on first
// use: each test opens its own incognito window in it (browser.go), so
// tests share the start-up cost and never each other's cookies. It dies
// with the test binary (chromedp starts it with Pdeathsig).
func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is missing: apt-get install chromium (.ci/run does)", chromium)
		}
		t.Skipf("skipped: %s is missing (apt-get install chromium)", chromium)
	}
	browserOnce.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium),
			// Root in a container has no user namespaces for the sandbox,
			// and /dev/shm is small there.
			chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))
		alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		browserCtx, _ = chromedp.NewContext(alloc)
		browserErr = chromedp.Do(browserCtx) // starts the browser, with no timeout
	})
	if browserErr != nil {
		t.Fatalf("start %s: %v", chromium, browserErr)
	}
	return browserCtx
}
