package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The agency step: the demo tenant's key pair assumes an agency of a second account, and the
// provider binds an app there. The simulator's IAM plays that account.
const (
	agencyName       = "coc-demo-operator"
	agencyDomainID   = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	agencyDomainName = "coc-demo-operations"
	// agencyLarkAppID is the Lark app bound in the agency's account, another than the demo
	// tenant's own.
	agencyLarkAppID = "cli_b8a7f6e5d4c3b2a1"
)

var agencyStep = step{name: "agency", title: "bind a Lark app in another account, through an agency", run: bindThroughAgency, simulatorOnly: true,
	realCOC: "it needs an agency in a second account that trusts yours; with one, add the assume_role block this step shows.", narration: `
		Operators often hold keys in one account and manage another: the provider assumes an IAM agency
		with the key pair (assume_role) and signs COC's requests with the temporary key IAM issues, so
		COC acts in the agency's account. The simulator's IAM plays a second account whose agency trusts
		the demo tenant's. A configuration of its own, in its own directory:`}

func bindThroughAgency(ctx context.Context, d *demo) error {
	tenantDomain := d.envValue("HW_DOMAIN_ID")
	if _, err := d.sim.call(ctx, http.MethodPost, simulator.AdminPrefix+"agencies", []simulator.Agency{{
		Name: agencyName, DomainID: agencyDomainID, DomainName: agencyDomainName, TrustedDomainID: tenantDomain,
	}}); err != nil {
		return err
	}
	d.ok("IAM has agency %s in account %s, trusted by the demo tenant's account %s.", agencyName, agencyDomainID, tenantDomain)

	dir := filepath.Join(d.tmp, "agency")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	config := agencyConfig()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return err
	}
	d.show(config[strings.Index(config, "# The key pair"):strings.Index(config, "variable ")], true)
	// The simulator serves IAM too; against Huawei Cloud, the region's IAM is found by itself.
	return d.elsewhere(dir, []string{"HW_IAM_ENDPOINT=" + d.sim.url}, func() error {
		out, err := d.tf(ctx, "apply", "-auto-approve")
		if err != nil {
			return err
		}
		if err := mustContain(out, "1 added, 0 changed, 0 destroyed"); err != nil {
			return err
		}
		key, err := d.sim.agencyKey(ctx)
		if err != nil {
			return err
		}
		if err := d.sim.expectLark(ctx, key, agencyLarkAppID); err != nil {
			return fmt.Errorf("the agency's account: %w", err)
		}
		d.ok("COC holds Lark app %s in the agency's account %s, bound with the temporary key IAM issued for the agency.", agencyLarkAppID, agencyDomainID)
		own := d.values[varName(lark, lark.Identifier.Name)]
		if err := d.sim.expectLark(ctx, "", own); err != nil {
			return fmt.Errorf("the demo tenant's account: %w", err)
		}
		d.ok("the demo tenant's own Lark binding is still app %s.", own)

		if out, err = d.tf(ctx, "destroy", "-auto-approve"); err != nil {
			return err
		}
		if err := mustContain(out, "Destroy complete! Resources: 1 destroyed."); err != nil {
			return err
		}
		bindings, err := d.sim.bindingsOf(ctx, key)
		if err != nil {
			return err
		}
		if len(bindings) != 0 {
			return fmt.Errorf("the agency's account still holds bindings for %v after terraform destroy", slices.Sorted(maps.Keys(bindings)))
		}
		d.ok("terraform destroy unbound it; the agency's account holds no binding.")
		return nil
	})
}

// agencyConfig binds a Lark app with the agency's credentials; the ephemeral secret is the demo's.
func agencyConfig() string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    coc = {\n      source = \"cocops/coc\"\n    }\n  }\n}\n\n" +
		"# The key pair from HW_ACCESS_KEY and HW_SECRET_KEY assumes the agency; COC acts in the\n# agency's account, which domain_id also sends as X-Domain-Id.\n")
	fmt.Fprintf(&b, "provider \"coc\" {\n  assume_role {\n    agency_name = %q\n    domain_id   = %q\n  }\n}\n\n", agencyName, agencyDomainID)
	secret := varName(lark, "app_secret")
	hclBlock(&b, fmt.Sprintf("variable %q", secret), attrGroup{attrs: [][2]string{{"type", "string"}, {"sensitive", "true"}, {"ephemeral", "true"}}})
	hclBlock(&b, `resource "coc_lark_app" "operations"`, attrGroup{attrs: [][2]string{
		{"app_id", fmt.Sprintf("%q", agencyLarkAppID)}, {"service_id", fmt.Sprintf("%q", agencyLarkAppID)},
	}}, attrGroup{attrs: [][2]string{{"app_secret_wo", "var." + secret}, {"app_secret_wo_version", "1"}}})
	return b.String()
}

// elsewhere runs fn with terraform working in dir, with env added to the demo's environment.
func (d *demo) elsewhere(dir string, env []string, fn func() error) error {
	work, saved := d.work, d.env
	d.work, d.env = dir, append(slices.Clone(d.env), env...)
	defer func() { d.work, d.env = work, saved }()
	return fn()
}

// envValue is the value of name in terraform's environment.
func (d *demo) envValue(name string) string {
	for _, kv := range slices.Backward(d.env) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// agencyKey is the access key IAM issued for the agency, which acts in the agency's account.
func (a *simAdmin) agencyKey(ctx context.Context) (string, error) {
	data, err := a.call(ctx, http.MethodGet, simulator.AdminPrefix+"credentials", nil)
	if err != nil {
		return "", err
	}
	var issued []simulator.IssuedCredential
	if err := json.Unmarshal(data, &issued); err != nil {
		return "", fmt.Errorf("simulator credentials: %w", err)
	}
	for _, c := range slices.Backward(issued) {
		if c.Method == credentials.MethodAssumeRole && c.DomainID == agencyDomainID {
			return c.AccessKey, nil
		}
	}
	return "", fmt.Errorf("IAM issued no key for agency %s: the provider did not assume it", agencyName)
}

// expectLark checks that the account of accessKey ("" for the demo tenant) binds Lark app appID.
func (a *simAdmin) expectLark(ctx context.Context, accessKey, appID string) error {
	bindings, err := a.bindingsOf(ctx, accessKey)
	if err != nil {
		return err
	}
	if got := bindings[platforms.Lark].fields[lark.Identifier.Name]; got != appID {
		return fmt.Errorf("COC holds Lark app %q, expected %q", got, appID)
	}
	return nil
}
