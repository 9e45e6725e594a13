package desk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

// browser is one person's incognito window on the desk. Its steps find
// elements as a screen reader names them: fields by their label, buttons
// and links by their text, pages by their heading.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func openBrowser(t *testing.T, svc *testenv.Service) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(sharedBrowser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// Opens the window, on a context with no timeout: a timeout on the
	// first call would close the window with it.
	require.NoError(t, chromedp.Do(ctx))
	return &browser{t: t, ctx: ctx, base: svc.URL}
}

func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, actions...), what)
}

// xpath literal of a text (labels here hold no double quotes).
func lit(s string) string { return fmt.Sprintf("%q", s) }

func fieldLabelled(label string) string {
	return `//*[@id=//label[normalize-space(.)=` + lit(label) + `]/@for]`
}

func choiceLabelled(label string) string {
	return `//label[normalize-space(.)=` + lit(label) + `]/input`
}

func buttonNamed(name string) string { return `//button[normalize-space(.)=` + lit(name) + `]` }

func linkNamed(name string) string { return `//a[normalize-space(.)=` + lit(name) + `]` }

func heading(text string) string { return `//h1[normalize-space(.)=` + lit(text) + `]` }

// visit opens a desk address (a path, or a full link from an email).
func (b *browser) visit(address string) {
	b.t.Helper()
	if strings.HasPrefix(address, "/") {
		address = b.base + address
	}
	b.run("open "+address, chromedp.Navigate(address))
}

// type writes into the field with this label, as a person types.
func (b *browser) typeInto(label, text string) {
	b.t.Helper()
	b.run("type into "+label, chromedp.SendKeys(fieldLabelled(label), text))
}

// replace selects what the field with this label holds and types text
// over it, as a person does. (chromedp.Clear empties the value attribute,
// not what was typed into the field.)
func (b *browser) replace(label, text string) {
	b.t.Helper()
	selectAll := func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`document.activeElement.select(), true`)(ctx, t)
		return chromedp.Void{}, err
	}
	if text == "" {
		text = kb.Backspace
	}
	b.run("replace "+label, chromedp.Focus(fieldLabelled(label)), selectAll, chromedp.SendKeys(fieldLabelled(label), text))
}

func (b *browser) choose(label string) {
	b.t.Helper()
	b.run("choose "+label, chromedp.Click(choiceLabelled(label)))
}

func (b *browser) press(button string) {
	b.t.Helper()
	b.run("press "+button, chromedp.Click(buttonNamed(button)))
}

func (b *browser) follow(link string) {
	b.t.Helper()
	b.run("follow "+link, chromedp.Click(linkNamed(link)))
}

// seePage waits for the page with this heading.
func (b *browser) seePage(title string) {
	b.t.Helper()
	b.run("see the page "+title, chromedp.WaitVisible(heading(title)))
}

// see waits until the page's main part shows text.
func (b *browser) see(text string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	var main string
	for {
		shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		main = shown
		if err == nil && strings.Contains(main, text) {
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("the page never showed %q; it shows:\n%s", text, main)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// signInWithToken signs in on a laptop: the token pasted, Enter pressed,
// and the first page signed in shown.
func (b *browser) signInWithToken(token string) {
	b.t.Helper()
	b.visit("/desk/sign-in")
	b.seePage("Sign in")
	b.typeInto("API token", token+kb.Enter)
	b.run("see that I am signed in", chromedp.WaitVisible(buttonNamed("Sign out")))
}

// screenshot saves the window as docs/screenshots/NAME.png when
// CREDITFLOW_SCREENSHOTS=1: the README's pictures of the desk are made by
// the tests that drive it (CREDITFLOW_SCREENSHOTS=1 go test ./desk).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if os.Getenv("CREDITFLOW_SCREENSHOTS") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	require.NoError(b.t, err, "screenshot "+name)
	require.NoError(b.t, os.MkdirAll("../docs/screenshots", 0o755))
	require.NoError(b.t, os.WriteFile(filepath.Join("../docs/screenshots", name+".png"), png, 0o644))
}

// atAddress waits until the window's address contains part: a form sent
// with GET has brought its page, not just started to.
func (b *browser) atAddress(part string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	for {
		at, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.Contains(at, part) {
			b.run("the page at "+at+" loaded", chromedp.WaitReady("body"))
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("the window never came to an address with %q; it is at %s", part, at)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
