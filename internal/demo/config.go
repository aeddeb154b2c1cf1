package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// example is the made-up but well-formed value of a platform's identifier or plain field.
func example(p platforms.Platform, name string) string {
	f, _ := p.Field(name)
	return f.Examples[0]
}

// configShape is what the configuration holds besides values and versions.
type configShape struct {
	// withoutLark leaves the Lark binding out, so that Terraform unbinds it.
	withoutLark bool
	// importLark adopts an existing Lark binding with an import block.
	importLark bool
}

func address(p platforms.Platform) string { return "coc_" + string(p.AppType) + "_app.this" }

// varName names the variable that holds a platform's field or secret.
func varName(p platforms.Platform, field string) string { return string(p.AppType) + "_" + field }

// secretValue makes a recognisable secret for a generation of a platform's secret.
func secretValue(p platforms.Platform, secret, generation string) string {
	f, _ := p.Field(secret)
	return f.ExampleSecret(fmt.Sprintf("demo-%s-%s-%s", p.AppType, secret, generation))
}

// initValues sets every variable to the demo's value; against a real COC, a TF_VAR_* the user
// set wins (terraform reads it, and the checks must expect it).
func (d *demo) initValues(realCOC bool) {
	for _, p := range platforms.All() {
		for _, f := range p.NonSecretNames() {
			d.values[varName(p, f)] = example(p, f)
		}
		for _, s := range p.SecretNames() {
			d.values[varName(p, s)] = secretValue(p, s, "1")
			d.versions[varName(p, s)] = 1
		}
	}
	if !realCOC {
		return
	}
	for name := range d.values {
		if v, ok := os.LookupEnv("TF_VAR_" + name); ok {
			d.values[name], d.userVars[name] = v, true
		}
	}
}

// secretEnv passes the secrets the way a pipeline would: ephemeral variables set in the
// environment, never written to a file.
func (d *demo) secretEnv() []string {
	var env []string
	for _, p := range platforms.All() {
		for _, s := range p.SecretNames() {
			if name := varName(p, s); !d.userVars[name] {
				env = append(env, "TF_VAR_"+name+"="+d.values[name])
			}
		}
	}
	return env
}

// writeConfig writes variables.tf and main.tf for the current shape, values and versions.
func (d *demo) writeConfig() error {
	var vars, main strings.Builder
	for _, p := range platforms.All() {
		for _, f := range p.NonSecretNames() {
			hclBlock(&vars, fmt.Sprintf("variable %q", varName(p, f)), attrGroup{attrs: [][2]string{
				{"type", "string"}, {"default", fmt.Sprintf("%q", example(p, f))},
			}})
		}
		for _, s := range p.SecretNames() {
			hclBlock(&vars, fmt.Sprintf("variable %q", varName(p, s)), attrGroup{attrs: [][2]string{
				{"type", "string"}, {"sensitive", "true"}, {"ephemeral", "true"},
			}})
		}
	}
	main.WriteString("terraform {\n  required_providers {\n    coc = {\n      source = \"cocops/coc\"\n    }\n  }\n}\n\n" +
		"# Credentials and endpoint come from HW_ACCESS_KEY, HW_SECRET_KEY, HW_DOMAIN_ID and\n" +
		"# HW_COC_ENDPOINT (or HW_REGION_NAME).\n" + d.providerBlock())
	var managed []string
	for _, p := range platforms.All() {
		if p.AppType == platforms.Lark && d.config.withoutLark {
			continue
		}
		main.WriteString(d.resourceBlock(p))
		managed = append(managed, address(p))
	}
	if d.config.importLark {
		lark := platforms.MustFor(platforms.Lark)
		hclBlock(&main, "import", attrGroup{attrs: [][2]string{{"to", address(lark)}, {"id", "var." + varName(lark, lark.Identifier.Name)}}})
	}
	hclBlock(&main, `data "coc_mobile_apps" "all"`, attrGroup{
		comment: "Read after the bindings change, so the list shows them.",
		attrs:   [][2]string{{"depends_on", "[" + strings.Join(managed, ", ") + "]"}},
	})
	hclBlock(&main, `output "bound_apps"`, attrGroup{attrs: [][2]string{
		{"value", `[for app in data.coc_mobile_apps.all.apps : "${app.app_type} ${app.app_id}"]`},
	}})
	if err := os.WriteFile(filepath.Join(d.work, "variables.tf"), []byte(vars.String()), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.work, "main.tf"), []byte(main.String()), 0o600)
}

// resourceBlock renders a platform's resource with the write-only pattern for every secret.
func (d *demo) resourceBlock(p platforms.Platform) string {
	plain := attrGroup{}
	for _, f := range p.NonSecretNames() {
		plain.attrs = append(plain.attrs, [2]string{f, "var." + varName(p, f)})
	}
	secrets := attrGroup{comment: "Write-only: sent to COC, never stored in the state. Bump the version to send a new value."}
	for _, s := range p.SecretNames() {
		secrets.attrs = append(secrets.attrs,
			[2]string{s + "_wo", "var." + varName(p, s)},
			[2]string{s + "_wo_version", fmt.Sprint(d.versions[varName(p, s)])})
	}
	var b strings.Builder
	hclBlock(&b, fmt.Sprintf("resource %q %q", "coc_"+string(p.AppType)+"_app", "this"), plain, secrets)
	return b.String()
}

type attrGroup struct {
	comment string
	attrs   [][2]string
}

// hclBlock writes a block formatted as terraform fmt would: each group's equals signs aligned,
// groups separated by a blank line.
func hclBlock(b *strings.Builder, header string, groups ...attrGroup) {
	fmt.Fprintf(b, "%s {\n", header)
	for i, g := range groups {
		if i > 0 {
			b.WriteString("\n")
		}
		if g.comment != "" {
			fmt.Fprintf(b, "  # %s\n", g.comment)
		}
		width := 0
		for _, a := range g.attrs {
			width = max(width, len(a[0]))
		}
		for _, a := range g.attrs {
			fmt.Fprintf(b, "  %-*s = %s\n", width, a[0], a[1])
		}
	}
	b.WriteString("}\n\n")
}

// simAdmin calls the simulator's admin API, which stands in for a person on the COC console.
type simAdmin struct{ url string }

// simBinding is a stored binding as the admin API shows it.
type simBinding struct {
	fields       map[string]string
	fingerprints map[string]string
}

func (a *simAdmin) call(ctx context.Context, method, path string, body any) ([]byte, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url+path, reader)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simulator %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("simulator %s %s: %s: %s", method, path, resp.Status, data)
	}
	return data, nil
}

// bindings returns the demo tenant's bindings by app type.
func (a *simAdmin) bindings(ctx context.Context) (map[platforms.AppType]simBinding, error) {
	return a.bindingsOf(ctx, "")
}

// bindingsOf returns the bindings of the account of accessKey ("" for the demo tenant's).
func (a *simAdmin) bindingsOf(ctx context.Context, accessKey string) (map[platforms.AppType]simBinding, error) {
	path := simulator.AdminPrefix + "bindings"
	if accessKey != "" {
		path += "?access_key=" + url.QueryEscape(accessKey)
	}
	data, err := a.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var list []map[string]any
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("simulator bindings: %w", err)
	}
	out := map[platforms.AppType]simBinding{}
	for _, item := range list {
		b := simBinding{fields: map[string]string{}, fingerprints: map[string]string{}}
		for k, v := range item {
			switch v := v.(type) {
			case string:
				b.fields[k] = v
			case map[string]any:
				for name, fp := range v {
					b.fingerprints[name], _ = fp.(string)
				}
			}
		}
		out[platforms.AppType(b.fields["app_type"])] = b
	}
	return out, nil
}

// changeSecrets changes secrets as the console's "change key" does.
func (a *simAdmin) changeSecrets(ctx context.Context, t platforms.AppType, secrets map[string]string) error {
	_, err := a.call(ctx, http.MethodPost, simulator.AdminPrefix+"bindings/"+string(t)+"/secrets", secrets)
	return err
}

// bind makes a binding on the console.
func (a *simAdmin) bind(ctx context.Context, t platforms.AppType, req coc.BindingRequest) error {
	_, err := a.call(ctx, http.MethodPut, simulator.AdminPrefix+"bindings/"+string(t), req)
	return err
}

// checkSecret checks that COC holds the given value of a secret.
func (a *simAdmin) checkSecret(ctx context.Context, p platforms.Platform, secret, want string) error {
	bindings, err := a.bindings(ctx)
	if err != nil {
		return err
	}
	b, ok := bindings[p.AppType]
	if !ok {
		return fmt.Errorf("COC holds no %s binding", p.AppType)
	}
	if b.fingerprints[secret] != simulator.Fingerprint(want) {
		return fmt.Errorf("COC's %s %s is not the value the configuration holds", p.AppType, secret)
	}
	return nil
}
