package desk_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func TestAdminAddsAUserAndDisablesAnother(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Admin))
	b.follow("Users")
	b.seePage("Users")
	b.see(testenv.Rep)

	b.press("Add the user")
	b.see("role: is required")
	b.typeInto("Email", "nora")
	b.run("choose the credit role", chromedp.SetValue(fieldLabelled("Role"), credit.RoleCredit))
	b.press("Add the user")
	b.see("email: \"nora\" is not an email address")
	b.replace("Email", "nora@example.com")
	b.typeInto("Name", "Nora Analyst")
	b.typeInto("Approval limit", "25000")
	b.press("Add the user")
	b.see("nora@example.com is added.")
	b.see("Nora Analyst")
	b.screenshot("admin-users")

	nora, err := svc.Store.UserByEmail(context.Background(), "nora@example.com")
	require.NoError(t, err)
	require.Equal(t, credit.RoleCredit, nora.Role)
	require.Equal(t, int64(25000), *nora.ApprovalLimit)

	b.follow("Disable " + testenv.OtherRep)
	b.seePage("Users")
	b.see("Disable " + testenv.OtherRep + "?\n")
	b.see("They can no longer sign in")
	b.press("Yes, disable " + testenv.OtherRep)
	b.see(testenv.OtherRep + " is disabled")
	rep, err := svc.Store.UserByEmail(context.Background(), testenv.OtherRep)
	require.NoError(t, err)
	require.NotNil(t, rep.DisabledAt)
	resp := svc.Call(t, http.MethodGet, "/api/v1/accounts", testenv.OtherRep, nil)
	require.Equal(t, http.StatusUnauthorized, resp.Status, "their token stopped working")
}

func TestOnlyAnAdminOpensTheAdminPages(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	c := signedInClient(t, svc, testenv.CreditManager)
	for _, page := range []string{"/desk/admin/users", "/desk/admin/import", "/desk/admin/outbox"} {
		status, body := c.get(page)
		if page == "/desk/admin/import" {
			// The form is a page of its own; the API refuses what it sends.
			require.Equal(t, http.StatusOK, status)
			continue
		}
		require.Equal(t, http.StatusForbidden, status, page)
		require.Contains(t, body, "Not allowed", page)
	}
	_, page := c.get("/desk/admin/import")
	status, body := c.upload(t, "/desk/admin/import", csrf(t, page), "invoices.csv", "account_id,number,amount,currency,issue_date\nacc_1,1,1.00,EUR,2025-01-01\n")
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, body, "the credit_manager role may not do this")
}

func TestAnUploadWhoseCSRFTokenIsNotItsFirstFieldIsRefused(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	c := signedInClient(t, svc, testenv.Admin)
	_, page := c.get("/desk/admin/import")
	token := csrf(t, page)
	file := "account_id,number,amount,currency,issue_date\nacc_1,1,1.00,EUR,2025-01-01\n"

	status, _ := c.upload(t, "/desk/admin/import", "", "invoices.csv", file)
	require.Equal(t, http.StatusForbidden, status, "no token")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "invoices.csv")
	_, _ = part.Write([]byte(file))
	_ = w.WriteField("csrf", token)
	require.NoError(t, w.Close())
	resp, err := c.http.Post(c.base+"/desk/admin/import", w.FormDataContentType(), &body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "the token after the file")

	status, page = c.upload(t, "/desk/admin/import", token, "invoices.txt", file)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "Choose a .csv, .ndjson or .json file.")
}

// upload posts the import form as a browser does: the CSRF token first.
func (c *client) upload(t *testing.T, path, token, name, content string) (int, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if token != "" {
		require.NoError(t, w.WriteField("csrf", token))
	}
	require.NoError(t, w.WriteField("idempotency_key", "upload-"+name))
	part, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, _ = part.Write([]byte(content))
	require.NoError(t, w.Close())
	resp, err := c.http.Post(c.base+path, w.FormDataContentType(), &body)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

func TestAdminImportsACSVAndReadsItsReport(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := store.NewID("acc")
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, 'Brightwater Foods Ltd', 'ap@brightwater.example', 'active', 'EUR', 10000000, $2)`, account, testenv.Rep)
	require.NoError(t, err)
	today := time.Now().UTC().Format(time.DateOnly)
	file := filepath.Join(t.TempDir(), "erp-export.csv")
	require.NoError(t, os.WriteFile(file, []byte("account_id,number,amount,currency,issue_date,terms_days\n"+
		account+",BW-1001,1800.00,EUR,"+today+",30\n"+
		account+",BW-1002,250.00,EUR,"+today+",\n"+
		account+",BW-1001,1800.00,EUR,"+today+",30\n"+
		account+",BW-1003,99.00,EUR,2025-02-30,\n"), 0o644))

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Admin))
	b.follow("Import")
	b.seePage("Import invoices")
	b.run("choose the file", chromedp.SetUploadFiles(fieldLabelled("Invoices file"), []string{file}))
	b.press("Import")
	b.see("Report of erp-export.csv")
	b.see("2 created, 1 duplicates, 1 with errors.")
	b.see("issue date:")
	b.screenshot("admin-import")

	var numbers []string
	rows, err := svc.Store.Pool.Query(context.Background(), `SELECT number FROM invoices WHERE account_id = $1 ORDER BY number`, account)
	require.NoError(t, err)
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		numbers = append(numbers, n)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"BW-1001", "BW-1002"}, numbers)
}

func TestAdminReadsTheOutbox(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	askForPreApproval(t, svc, testenv.Rep, "50000.00")
	testenv.Eventually(t, 15*time.Second, "the request_received email", func() bool {
		return len(svc.SendGrid.OfKind("request_received")) > 0
	})

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Admin))
	b.follow("Outbox")
	b.seePage("Outbox")
	b.run("choose a kind", chromedp.SetValue(fieldLabelled("Kind"), "request_received"))
	b.press("Filter")
	b.atAddress("kind=request_received")
	b.see("request received")
	b.see("sent 20")
	b.screenshot("admin-outbox")

	b.run("choose another kind", chromedp.SetValue(fieldLabelled("Kind"), "weekly_digest"))
	b.press("Filter")
	b.atAddress("kind=weekly_digest")
	b.see("No emails match these filters.")
}

// TestAnUploadGoesToTheImportAsAStream: a 60 MiB CSV uploaded on the desk
// passes through to the import without the process's resident memory
// growing by the file (the API spools it to disk, the desk holds none).
func TestAnUploadGoesToTheImportAsAStream(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	proc := svc.StartAPIProcess(t)
	c := signedInClient(t, proc.Service, testenv.Admin)
	_, page := c.get("/desk/admin/import")
	token := csrf(t, page)
	// Every row's number is too long, so each is refused on its own and
	// nothing is started: the answer is a short problem.
	row := "acc_x," + strings.Repeat("n", 6<<10) + ",1.00,EUR,2025-01-01\n"
	upload := func(rows int) (int, string) {
		r, w := io.Pipe()
		form := multipart.NewWriter(w)
		go func() {
			_ = form.WriteField("csrf", token)
			_ = form.WriteField("idempotency_key", "stream-"+strconv.Itoa(rows))
			part, _ := form.CreateFormFile("file", "big.csv")
			_, _ = io.WriteString(part, "account_id,number,amount,currency,issue_date\n")
			for range rows {
				if _, err := io.WriteString(part, row); err != nil {
					break
				}
			}
			_ = form.Close()
			_ = w.Close()
		}()
		resp, err := c.http.Post(c.base+"/desk/admin/import", form.FormDataContentType(), r)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	upload(3) // loads what every upload needs
	before := proc.ResidentMemory(t)
	status, body := upload(10_000)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "none of the 10000 lines")
	grew := proc.ResidentMemory(t) - before
	t.Logf("resident memory grew by %.1f MiB over a %d MiB upload", float64(grew)/(1<<20), len(row)*10_000>>20)
	require.Less(t, grew, int64(16<<20), "the desk or the API held the upload")
}
