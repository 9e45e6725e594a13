package deploy

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/creditflow/creditflow/config"
)

// The repository root, where the deployment files are.
const root = ".."

// appServices run Creditflow's own binary; the others are off-the-shelf.
var appServices = []string{"migrate", "worker", "api"}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string                       `yaml:"image"`
	Build       yaml.Node                    `yaml:"build"`
	Command     []string                     `yaml:"command"`
	Environment map[string]string            `yaml:"environment"`
	Ports       []string                     `yaml:"ports"`
	Volumes     []string                     `yaml:"volumes"`
	DependsOn   map[string]composeDependency `yaml:"depends_on"`
	Healthcheck *composeHealthcheck          `yaml:"healthcheck"`
}

type composeDependency struct {
	Condition string `yaml:"condition"`
}

type composeHealthcheck struct {
	Test    []string `yaml:"test"`
	Disable bool     `yaml:"disable"`
}

// build returns the service's build context and Dockerfile, or ok false
// when the service runs a published image.
func (s composeService) build(t *testing.T) (context, dockerfile string, ok bool) {
	t.Helper()
	switch s.Build.Kind {
	case 0:
		return "", "", false
	case yaml.ScalarNode:
		return s.Build.Value, "Dockerfile", true
	case yaml.MappingNode:
		var b struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		}
		require.NoError(t, s.Build.Decode(&b))
		if b.Context == "" {
			b.Context = "."
		}
		if b.Dockerfile == "" {
			b.Dockerfile = "Dockerfile"
		}
		return b.Context, b.Dockerfile, true
	default:
		t.Fatalf("build: want a path or a mapping, got %v", s.Build.Tag)
		return "", "", false
	}
}

// interpolation matches what Compose substitutes: $$, ${VAR[:-?+]…}, $VAR.
var interpolation = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate substitutes variables as `docker compose config` does in a
// shell where none of them is set: the file must work out of the box.
func interpolate(t *testing.T, text string) string {
	t.Helper()
	return interpolation.ReplaceAllStringFunc(text, func(m string) string {
		if m == "$$" {
			return "$"
		}
		sub := interpolation.FindStringSubmatch(m)
		name, op, arg := sub[1], sub[2], sub[3]
		if name == "" {
			return "" // $VAR, unset
		}
		switch op {
		case "-", ":-":
			return arg
		case "?", ":?":
			t.Errorf("docker-compose.yml requires %s to be set (%s); give it a default", name, arg)
		}
		return ""
	})
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal([]byte(interpolate(t, string(raw))), &c), "docker-compose.yml")
	require.NotEmpty(t, c.Services, "docker-compose.yml has no services")
	return c
}

func (c composeFile) service(t *testing.T, name string) composeService {
	t.Helper()
	s, ok := c.Services[name]
	require.True(t, ok, "docker-compose.yml has no service %q", name)
	return s
}

// configNames is every environment variable the binary reads, asked of
// config.Load itself so this test follows the code.
func configNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	_, err := config.Load(func(name string) (string, bool) {
		names[name] = true
		return "", false
	})
	require.NoError(t, err, "the defaults must be a valid configuration")
	for _, must := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "CREDITFLOW_HTTP_ADDR", "CREDITFLOW_DAY"} {
		require.True(t, names[must], "config.Load did not ask for %s: did the recording miss some names?", must)
	}
	return names
}

// loadServiceConfig is the configuration the service's process would get.
func loadServiceConfig(t *testing.T, name string, s composeService) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := s.Environment[k]
		return v, ok
	})
	require.NoError(t, err, "%s: the binary refuses its compose environment", name)
	return cfg
}

// hostAndContainerPort splits a short port mapping [ip:]host:container[/proto].
func hostAndContainerPort(t *testing.T, mapping string) (host, container string) {
	t.Helper()
	m, _, _ := strings.Cut(mapping, "/")
	parts := strings.Split(m, ":")
	require.GreaterOrEqual(t, len(parts), 2, "port mapping %q: want host:container", mapping)
	return parts[len(parts)-2], parts[len(parts)-1]
}

func addrPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err, "address %q", addr)
	return port
}

func TestComposeRunsTheWholeStack(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"postgres", "temporal", "temporal-ui", "migrate", "worker", "api"} {
		c.service(t, name)
	}

	// Postgres keeps its data in a named volume, declared at the top level.
	pg := c.service(t, "postgres")
	require.True(t, strings.HasPrefix(pg.Image, "postgres:"), "postgres image %q", pg.Image)
	var named bool
	for _, v := range pg.Volumes {
		src, dst, _ := strings.Cut(v, ":")
		if dst == "/var/lib/postgresql/data" {
			_, named = c.Volumes[src]
		}
	}
	require.True(t, named, "postgres must keep /var/lib/postgresql/data in a named volume, got %v", pg.Volumes)
}

func TestComposeWaitsOnlyForServicesThatReportTheirHealth(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		for dep, d := range s.DependsOn {
			target, ok := c.Services[dep]
			require.True(t, ok, "%s depends on %q, which is not a service", name, dep)
			switch d.Condition {
			case "service_healthy":
				require.NotNil(t, target.Healthcheck, "%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
				require.False(t, target.Healthcheck.Disable, "%s waits for %s to be healthy, but its healthcheck is disabled", name, dep)
				require.NotEmpty(t, target.Healthcheck.Test, "%s: healthcheck without a test", dep)
			case "service_completed_successfully", "service_started", "":
			default:
				t.Fatalf("%s depends on %s with unknown condition %q", name, dep, d.Condition)
			}
		}
	}
}

func TestComposeStartsTheAppAfterItsMigrationsAndTemporal(t *testing.T) {
	c := loadCompose(t)
	require.Equal(t, "service_healthy", c.service(t, "migrate").DependsOn["postgres"].Condition,
		"migrate must wait for postgres to be healthy")
	require.Equal(t, "service_healthy", c.service(t, "temporal").DependsOn["postgres"].Condition,
		"temporal must wait for postgres to be healthy")
	for _, name := range []string{"worker", "api"} {
		s := c.service(t, name)
		require.Equal(t, "service_completed_successfully", s.DependsOn["migrate"].Condition,
			"%s must start after the migrations have run", name)
		require.Equal(t, "service_healthy", s.DependsOn["temporal"].Condition,
			"%s must wait for temporal to be healthy", name)
	}
}

func TestComposeAppServicesRunTheBinarysSubcommands(t *testing.T) {
	c := loadCompose(t)
	for _, name := range appServices {
		s := c.service(t, name)
		context, dockerfile, ok := s.build(t)
		require.True(t, ok, "%s must be built from the repository's Dockerfile", name)
		require.Equal(t, ".", filepath.Clean(context), "%s: build context", name)
		require.Equal(t, "Dockerfile", filepath.Clean(dockerfile), "%s: Dockerfile", name)
		require.Equal(t, []string{name}, s.Command, "%s: command (the image's entrypoint is the binary)", name)
	}
}

func TestComposeServicesUseTheBinarysConfiguration(t *testing.T) {
	c := loadCompose(t)
	known := configNames(t)
	pg := c.service(t, "postgres")
	for _, name := range appServices {
		s := c.service(t, name)
		var unknown []string
		for k := range s.Environment {
			if !known[k] {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		require.Empty(t, unknown, "%s sets variables the binary never reads", name)

		cfg := loadServiceConfig(t, name, s)

		db, err := url.Parse(cfg.DatabaseURL)
		require.NoError(t, err)
		require.Equal(t, "postgres:5432", db.Host, "%s: DATABASE_URL must name the compose postgres service", name)
		pgUser := pg.Environment["POSTGRES_USER"]
		if pgUser == "" {
			pgUser = "postgres"
		}
		require.Equal(t, pgUser, db.User.Username(), "%s: DATABASE_URL user", name)
		password, _ := db.User.Password()
		require.Equal(t, pg.Environment["POSTGRES_PASSWORD"], password, "%s: DATABASE_URL password", name)
		require.Equal(t, "/creditflow", db.Path, "%s: DATABASE_URL database", name)

		require.Equal(t, "temporal:7233", cfg.TemporalAddress, "%s: TEMPORAL_ADDRESS", name)
		require.Equal(t, config.DefaultNamespace, cfg.TemporalNamespace, "%s: TEMPORAL_NAMESPACE is the namespace temporal's auto-setup registers", name)
	}

	// The worker and the API must agree on where workflows run.
	worker, api := loadServiceConfig(t, "worker", c.service(t, "worker")), loadServiceConfig(t, "api", c.service(t, "api"))
	require.Equal(t, worker.TaskQueue, api.TaskQueue, "TEMPORAL_TASK_QUEUE")
	require.Equal(t, worker.TemporalNamespace, api.TemporalNamespace, "TEMPORAL_NAMESPACE")
	require.Equal(t, worker.DatabaseURL, api.DatabaseURL, "DATABASE_URL")
}

func TestComposePublishesTheAPIOnItsListenAddress(t *testing.T) {
	c := loadCompose(t)
	s := c.service(t, "api")
	port := addrPort(t, loadServiceConfig(t, "api", s).HTTPAddr)

	var published bool
	for _, p := range s.Ports {
		if _, container := hostAndContainerPort(t, p); container == port {
			published = true
		}
	}
	require.True(t, published, "api listens on %s but publishes %v", port, s.Ports)

	require.NotNil(t, s.Healthcheck, "api: healthcheck")
	probe := strings.Join(s.Healthcheck.Test, " ")
	require.Contains(t, probe, ":"+port+"/readyz", "api: the healthcheck must ask /readyz on the port the API listens on")
}

// Only the API is published on every interface: Temporal's frontend is
// not published at all (whoever reaches it can act as any user) and the
// UIs only on 127.0.0.1.
func TestComposePublishesOnlyTheAPIBeyondThisMachine(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		for _, p := range s.Ports {
			m, _, _ := strings.Cut(p, "/")
			parts := strings.Split(m, ":")
			if name == "api" {
				continue
			}
			require.Len(t, parts, 3, "%s publishes %q on every interface: bind it to 127.0.0.1", name, p)
			require.Equal(t, "127.0.0.1", parts[0], "%s publishes %q beyond this machine", name, p)
		}
	}
	require.Empty(t, c.service(t, "temporal").Ports, "the Temporal frontend is not published")
}

func TestComposeTemporalPersistsToTheComposePostgres(t *testing.T) {
	c := loadCompose(t)
	pg, tp := c.service(t, "postgres"), c.service(t, "temporal")
	env := tp.Environment
	require.Equal(t, "postgres12", env["DB"])
	require.Equal(t, "postgres", env["POSTGRES_SEEDS"])
	require.Equal(t, "5432", env["DB_PORT"])
	require.Equal(t, pg.Environment["POSTGRES_USER"], env["POSTGRES_USER"])
	require.Equal(t, pg.Environment["POSTGRES_PASSWORD"], env["POSTGRES_PWD"])
	// Set for newer auto-setup scripts: they must say the same thing.
	for newer, older := range map[string]string{"SQL_HOST": "POSTGRES_SEEDS", "SQL_PORT": "DB_PORT", "SQL_USER": "POSTGRES_USER", "SQL_PASSWORD": "POSTGRES_PWD", "SQL_PLUGIN": "DB", "SQL_DATABASE": "DBNAME", "SQL_VISIBILITY_DATABASE": "VISIBILITY_DBNAME"} {
		if v, ok := env[newer]; ok {
			require.Equal(t, env[older], v, "temporal: %s and %s disagree", newer, older)
		}
	}
	// Temporal's databases are its own, not Creditflow's.
	for _, db := range []string{env["DBNAME"], env["VISIBILITY_DBNAME"]} {
		require.NotEmpty(t, db)
		require.NotEqual(t, "creditflow", db)
	}
}

func TestComposeServesTheTemporalUIOnPort8233(t *testing.T) {
	c := loadCompose(t)
	ui := c.service(t, "temporal-ui")
	require.Equal(t, "temporal:7233", ui.Environment["TEMPORAL_ADDRESS"])
	var hosts []string
	for _, p := range ui.Ports {
		host, container := hostAndContainerPort(t, p)
		if container == "8080" {
			hosts = append(hosts, host)
		}
	}
	require.Equal(t, []string{"8233"}, hosts, "temporal-ui must publish its port 8080 on 8233")
}

func TestDockerfileBuildsTheOneBinary(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	df := string(raw)

	var froms []string
	for _, line := range strings.Split(df, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.EqualFold(f[0], "FROM") {
			froms = append(froms, f[1])
		}
	}
	require.GreaterOrEqual(t, len(froms), 2, "want a multi-stage build, got FROM %v", froms)

	// The build stage's Go is the one go.mod asks for.
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	require.NotNil(t, goVersion, "go.mod: go directive")
	require.True(t, slices.ContainsFunc(froms, func(f string) bool {
		return strings.HasPrefix(f, "golang:"+string(goVersion[1]))
	}), "want a golang:%s build stage, got FROM %v", goVersion[1], froms)

	require.Regexp(t, `go build [^\n]*-o /out/creditflow [^\n]*\./cmd/creditflow`, df)
	require.Contains(t, df, "CGO_ENABLED=0")
	require.Regexp(t, `(?m)^COPY --from=\S+ /out/creditflow /creditflow$`, df)
	require.Regexp(t, `(?m)^ENTRYPOINT \["/creditflow"\]$`, df)
	require.Regexp(t, `(?m)^EXPOSE `+addrPort(t, config.DefaultHTTPAddr)+`$`, df, "EXPOSE the API's default port")
}
