package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestDefaultsAreTheDesigns(t *testing.T) {
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, DefaultDatabaseURL, c.DatabaseURL)
	require.Equal(t, "localhost:7233", c.TemporalAddress)
	require.Equal(t, "creditflow", c.TaskQueue)
	require.Equal(t, ":8080", c.HTTPAddr)
	require.Equal(t, "https://api.sendgrid.com", c.SendGridAPIHost)
	require.Equal(t, 24*time.Hour, c.Day)
	require.Empty(t, c.SendGridAPIKey)
	require.Equal(t, "http://localhost:8080", c.BaseURL)
	require.Empty(t, c.LinkSecret, "unset: generated once and kept in the database")
	require.Equal(t, DefaultImportStartsPerSecond, c.ImportStartsPerSecond)
}

func TestBadValuesNameTheirVariable(t *testing.T) {
	for name, value := range map[string]string{
		"DATABASE_URL":                        "mysql://x",
		"TEMPORAL_ADDRESS":                    "nohost",
		"CREDITFLOW_HTTP_ADDR":                "8080",
		"SENDGRID_API_HOST":                   "api.sendgrid.com",
		"CREDITFLOW_MAIL_FROM":                "not-an-address",
		"CREDITFLOW_CREDIT_TEAM":              "team",
		"CREDITFLOW_DAY":                      "one day",
		"CREDITFLOW_POLICY_FILE":              "/does/not/exist.yaml",
		"TEMPORAL_TLS_CERT":                   "/only/the/cert.pem",
		"CREDITFLOW_DB_POOL_SIZE":             "twenty",
		"CREDITFLOW_WORKER_ACTIVITIES":        "-5",
		"CREDITFLOW_BASE_URL":                 "localhost:8080",
		"CREDITFLOW_LINK_SECRET":              "short",
		"CREDITFLOW_DIGEST_TZ":                "Europe/Atlantis",
		"CREDITFLOW_IMPORT_STARTS_PER_SECOND": "0",
		"CREDITFLOW_PPROF_ADDR":               "6060",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(env(map[string]string{name: value}))
			require.ErrorContains(t, err, name)
		})
	}
}

func TestShortDayForDemos(t *testing.T) {
	c, err := Load(env(map[string]string{"CREDITFLOW_DAY": "2s"}))
	require.NoError(t, err)
	require.Equal(t, 2*time.Second, c.Day)
	_, err = Load(env(map[string]string{"CREDITFLOW_DAY": "1ms"}))
	require.ErrorContains(t, err, "CREDITFLOW_DAY")
	_, err = Load(env(map[string]string{"CREDITFLOW_DAY": "25h"}))
	require.ErrorContains(t, err, "CREDITFLOW_DAY", "a policy day is never longer than a day")
}

// TestPoolAndWorkerAreSizedToEachOther: the pool's connections and the
// worker's concurrent activities are set, whole and positive; more
// activities than connections is the default, as activities hold no
// connection while SendGrid answers.
func TestPoolAndWorkerAreSizedToEachOther(t *testing.T) {
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, 20, c.DBPoolSize)
	require.Equal(t, 50, c.WorkerActivities)

	c, err = Load(env(map[string]string{"CREDITFLOW_DB_POOL_SIZE": " 8 ", "CREDITFLOW_WORKER_ACTIVITIES": "200"}))
	require.NoError(t, err)
	require.Equal(t, 8, c.DBPoolSize)
	require.Equal(t, 200, c.WorkerActivities)

	for name, values := range map[string][]string{
		"CREDITFLOW_DB_POOL_SIZE":      {"0", "-1", "ten", "2.5", "100000"},
		"CREDITFLOW_WORKER_ACTIVITIES": {"0", "-1", "fifty", "1e3", "1000000"},
	} {
		for _, v := range values {
			_, err := Load(env(map[string]string{name: v}))
			require.ErrorContains(t, err, name, "%s=%q", name, v)
		}
	}
}

func TestDigestZoneAndBaseURL(t *testing.T) {
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, "UTC", c.DigestZone.String())
	require.Equal(t, "http://localhost:8080", c.BaseURL)

	c, err = Load(env(map[string]string{"CREDITFLOW_DIGEST_TZ": "Europe/Berlin", "CREDITFLOW_BASE_URL": "https://credit.example.com/"}))
	require.NoError(t, err)
	require.Equal(t, "Europe/Berlin", c.DigestZone.String())
	require.Equal(t, "https://credit.example.com", c.BaseURL, "links append /desk/… to it")

	_, err = Load(env(map[string]string{"CREDITFLOW_DIGEST_TZ": "Local"}))
	require.ErrorContains(t, err, "CREDITFLOW_DIGEST_TZ", "the server's zone is not a setting anyone can read")
}

// The profiler never shares the API's listener: what it shows (goroutine
// stacks, heap) is nobody's business outside the company.
func TestProfilerNeedsAnAddressOfItsOwn(t *testing.T) {
	_, err := Load(env(map[string]string{"CREDITFLOW_HTTP_ADDR": "127.0.0.1:8080", "CREDITFLOW_PPROF_ADDR": "127.0.0.1:8080"}))
	require.ErrorContains(t, err, "CREDITFLOW_PPROF_ADDR")
	c, err := Load(env(map[string]string{"CREDITFLOW_PPROF_ADDR": "127.0.0.1:6060"}))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:6060", c.PprofAddr)
}
