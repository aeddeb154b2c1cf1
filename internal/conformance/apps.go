package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// EnvApps names a file of the apps to bind, in the simulator's tenants-file format
// ({"platform_apps": [{"app_type", "app_id", "secrets"}]}), for a COC that checks apps with their
// platforms. Without it the kit makes an app up per platform and run.
const EnvApps = "CONFORMANCE_APPS"

// app is what the kit binds on one platform: its identifier and plain fields, and its secrets.
type app struct {
	platform platforms.Platform
	fields   map[string]string
	secrets  map[string]string
	// missing says why there is no app for the platform; the platform's writes are skipped.
	missing string
}

func (a app) identifier() string { return a.fields[a.platform.Identifier.Name] }

// body is a POST or PUT body with these fields and the given secrets.
func (a app) body(fields, secrets map[string]string) map[string]string {
	out := maps.Clone(fields)
	maps.Copy(out, secrets)
	return out
}

// withPlainFields returns the fields with every plain field set to a new made-up value, so that
// an update changes something.
func (a app) withPlainFields(tag string) map[string]string {
	out := maps.Clone(a.fields)
	for _, name := range a.platform.FieldNames() {
		out[name] = "conformance-" + tag + "-" + name
	}
	return out
}

// apps returns an app per platform: those of the file named by CONFORMANCE_APPS, or made-up ones.
// Every secret is added to secrets, which the report never shows.
func apps(getenv func(string) string, runID string, secrets *hwhttp.Secrets) ([]app, error) {
	file := getenv(EnvApps)
	var declared []simulator.AppCredentials
	if file != "" {
		var err error
		if declared, err = readApps(file); err != nil {
			return nil, err
		}
	}
	out := make([]app, 0, len(platforms.All()))
	for _, p := range platforms.All() {
		a := app{platform: p, fields: map[string]string{p.Identifier.Name: "conformance-" + runID}, secrets: map[string]string{}}
		for _, name := range p.FieldNames() {
			a.fields[name] = "conformance-" + runID + "-" + name
		}
		for _, name := range p.SecretNames() {
			a.secrets[name] = randomHex(16)
		}
		if file != "" {
			var err error
			if a, err = fromFile(a, declared, file); err != nil {
				return nil, err
			}
		}
		for _, v := range a.secrets {
			secrets.Add(v)
		}
		out = append(out, a)
	}
	return out, nil
}

func readApps(file string) ([]simulator.AppCredentials, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvApps, err)
	}
	var world struct {
		PlatformApps []simulator.AppCredentials `json:"platform_apps"`
	}
	if err := json.Unmarshal(data, &world); err != nil {
		return nil, fmt.Errorf("%s: %s is not a tenants file ({\"platform_apps\": [{\"app_type\", \"app_id\", \"secrets\"}]}): %w", EnvApps, file, err)
	}
	return world.PlatformApps, nil
}

// fromFile takes the identifier and the secrets of a's platform from the apps declared in file;
// the plain fields stay made up, as the file has none. The secrets go to the platform's secret
// fields in order.
func fromFile(a app, declared []simulator.AppCredentials, file string) (app, error) {
	p := a.platform
	for _, d := range declared {
		if d.AppType != p.AppType {
			continue
		}
		if d.AppID == "" || len(d.Secrets) < len(p.SecretNames()) {
			return a, fmt.Errorf("%s: the %s app in %s needs an app_id and %d secret(s), for %s in this order",
				EnvApps, p.AppType, file, len(p.SecretNames()), strings.Join(p.SecretNames(), ", "))
		}
		a.fields[p.Identifier.Name] = d.AppID
		for i, name := range p.SecretNames() {
			a.secrets[name] = d.Secrets[i]
		}
		return a, nil
	}
	a.missing = fmt.Sprintf("%s (%s) declares no %s app", EnvApps, file, p.AppType)
	return a, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
