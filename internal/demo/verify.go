package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Against the simulator, the demo's provider checks every new app secret with its platform
// (verify_app_credentials), and every binding's readiness to open war rooms
// (war_room_readiness = "enforce"), at the simulator's platforms, which know the demo's apps:
// every step sends only secrets they accept and binds apps that are ready, but the ones that
// show a wrong secret and an app that is not ready failing the plan. Against a real COC the
// checks stay off: the demo's made-up apps exist on no platform.

// otherWeComApp is the WeCom app the replace step points coc_wecom_app at: the description's
// second example.
func otherWeComApp() string { return wecom.Identifier.Examples[1] }

// providerBlock configures the provider: from the environment, plus the check of app
// credentials at the simulator's platforms.
func (d *demo) providerBlock() string {
	if d.sim == nil {
		return "provider \"coc\" {}\n\n"
	}
	width := 0
	for _, p := range platforms.All() {
		width = max(width, len(p.AppType))
	}
	var endpoints, names []string
	for _, p := range platforms.All() {
		endpoints = append(endpoints, fmt.Sprintf("    %-*s = %q\n", width, p.AppType, d.sim.url+simulator.PlatformPrefix+string(p.AppType)))
		names = append(names, p.Name)
	}
	var b strings.Builder
	// terraform fmt aligns no multi-line value with its neighbours: it gets a group of its own.
	hclBlock(&b, `provider "coc"`, attrGroup{
		comment: "Check new app secrets, and that each binding can open a war room, with " + strings.Join(names, ", ") +
			" while planning (here: the simulator's).",
		attrs: [][2]string{{"verify_app_credentials", "true"}, {"war_room_readiness", `"enforce"`}},
	}, attrGroup{attrs: [][2]string{{"platform_endpoints", "{\n" + strings.Join(endpoints, "") + "  }"}}})
	return b.String()
}

// registerApps tells the simulator's platforms the demo's apps and the secrets the steps send:
// the first and second generation of each, for the replace step's WeCom app too.
func (d *demo) registerApps(ctx context.Context) error {
	var apps []simulator.AppCredentials
	for _, p := range platforms.All() {
		ids := []string{d.values[varName(p, p.Identifier.Name)]}
		if p.AppType == platforms.WeCom {
			ids = append(ids, otherWeComApp())
		}
		for _, id := range ids {
			app := simulator.AppCredentials{AppType: p.AppType, AppID: id}
			for _, s := range p.SecretNames() {
				app.Secrets = append(app.Secrets, secretValue(p, s, "1"), secretValue(p, s, "2"))
			}
			apps = append(apps, app)
		}
	}
	_, err := d.sim.call(ctx, http.MethodPost, simulator.AdminPrefix+"platform-apps", apps)
	return err
}

// rejectRotation rotates the Lark secret to a mistyped value: the plan fails on app_secret_wo
// with Lark's own code, COC gets no write and keeps the previous secret. Then the configuration
// is put back.
func rejectRotation(ctx context.Context, d *demo) error {
	name := varName(lark, "app_secret")
	previous := d.values[name]
	writesBefore, err := d.sim.writes(ctx)
	if err != nil {
		return err
	}
	d.show(strings.TrimSpace(d.providerBlock()), true)
	d.values[name] = secretValue(lark, "app_secret", "typo")
	d.versions[name]++
	if err := d.writeConfig(); err != nil {
		return err
	}
	out, err := d.failingPlan(ctx)
	if err != nil {
		return err
	}
	// Terraform wraps the detail; the summary, the configuration's line and the code stay whole.
	if err := mustContain(out, "Error: Lark Rejected the App Credentials", "app_secret_wo ", "= var."+name, lark.Token.WrongSecret.Code); err != nil {
		return err
	}
	d.ok("the plan fails on app_secret_wo with Lark's code %s: a wrong key cannot produce a plan.", lark.Token.WrongSecret.Code)
	writesAfter, err := d.sim.writes(ctx)
	if err != nil {
		return err
	}
	if writesAfter != writesBefore {
		return fmt.Errorf("COC got %d writes during the plan", writesAfter-writesBefore)
	}
	if err := d.sim.checkSecret(ctx, lark, "app_secret", previous); err != nil {
		return err
	}
	d.ok("COC got no write and still holds the previous secret (its fingerprint is unchanged).")

	d.values[name] = previous
	d.versions[name]--
	if err := d.writeConfig(); err != nil {
		return err
	}
	if _, code, err := d.tfCode(ctx, "plan", "-detailed-exitcode"); err != nil || code != 0 {
		return fmt.Errorf("expected an empty plan with the previous secret back (exit code 0), got exit code %d: %w", code, err)
	}
	d.ok("with the previous secret back in the variable, the plan is empty.")
	return nil
}

// writes counts the calls in the simulator's request log that could change COC's state.
func (a *simAdmin) writes(ctx context.Context) (int, error) {
	data, err := a.call(ctx, http.MethodGet, simulator.AdminPrefix+"requests", nil)
	if err != nil {
		return 0, err
	}
	var requests []simulator.RequestRecord
	if err := json.Unmarshal(data, &requests); err != nil {
		return 0, fmt.Errorf("simulator requests: %w", err)
	}
	n := 0
	for _, r := range requests {
		if r.IsWrite() {
			n++
		}
	}
	return n, nil
}

// notReady switches the Lark app's bot off on Lark: the plan fails on app_id, naming the check
// and where to fix it, and COC gets no write. Then the bot is switched back on.
func notReady(ctx context.Context, d *demo) error {
	app := func(l *simulator.LarkApp) []simulator.AppCredentials {
		return []simulator.AppCredentials{{AppType: lark.AppType, AppID: d.values[varName(lark, lark.Identifier.Name)],
			Secrets: []string{d.values[varName(lark, "app_secret")]}, Lark: l}}
	}
	if _, err := d.sim.call(ctx, http.MethodPost, simulator.AdminPrefix+"platform-apps", app(&simulator.LarkApp{BotOff: true})); err != nil {
		return err
	}
	writesBefore, err := d.sim.writes(ctx)
	if err != nil {
		return err
	}
	out, err := d.failingPlan(ctx)
	if err != nil {
		return err
	}
	if err := mustContain(out, "Error: War Room Would Not Open: lark.bot", "app_id ", "bot capability is off", "Features > Bot"); err != nil {
		return err
	}
	d.ok("the plan fails on app_id: the Lark app's bot is off, and the error says where to switch it on.")
	if writesAfter, err := d.sim.writes(ctx); err != nil || writesAfter != writesBefore {
		return fmt.Errorf("COC got writes during the plan (%d before, %d after): %w", writesBefore, writesAfter, err)
	}
	d.ok("COC got no write.")
	if _, err := d.sim.call(ctx, http.MethodPost, simulator.AdminPrefix+"platform-apps", app(&simulator.LarkApp{})); err != nil {
		return err
	}
	if _, code, err := d.tfCode(ctx, "plan", "-detailed-exitcode"); err != nil || code != 0 {
		return fmt.Errorf("expected an empty plan with the bot back on (exit code 0), got exit code %d: %w", code, err)
	}
	d.ok("with the bot switched back on, the plan is empty.")
	return nil
}

// failingPlan runs terraform plan, which must fail: the failure is what the step shows, so its
// output is shown as a successful command's is.
func (d *demo) failingPlan(ctx context.Context) (string, error) {
	out, code, err := d.runTerraform(ctx, "plan")
	if err != nil {
		return "", err
	}
	d.show(out, d.Verbose || code != 1)
	if code != 1 {
		return "", fmt.Errorf("expected terraform plan to fail (exit code 1); it exited with %d", code)
	}
	return out, nil
}
