package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// step is one user journey: what it shows, and a run that fails unless terraform, the state and
// COC behave as narrated.
type step struct {
	name      string
	title     string
	narration string
	// simulatorOnly steps stage something on the console, which only the simulator can do.
	simulatorOnly bool
	realCOC       string
	run           func(context.Context, *demo) error
}

func steps() []step {
	return []step{
		{name: "bind", title: "bind " + anApp(platforms.All()) + ", and list them", run: bindAll, narration: `
			Every secret uses the recommended write-only pattern: an ephemeral variable feeds X_wo, and
			X_wo_version says when to send it. COC gets the secret; the plan and the state never hold it.
			The coc_mobile_apps data source lists the tenant's bindings. One of the resources:`},
		{name: "rotate", title: "rotate the Lark app secret", run: rotate, narration: `
			The recommended way: give app_secret_wo its new value and bump app_secret_wo_version (1 -> 2).
			The version is what Terraform compares; the plan updates the binding in place.`},
		{name: "reject", title: "a rotation to a mistyped Lark secret fails at plan", run: rejectRotation, simulatorOnly: true,
			realCOC: "set verify_app_credentials = true in the provider block, and plans check new secrets with the platforms.", narration: `
			The provider block has verify_app_credentials = true: a plan asks the app's platform for an
			access token with every secret it will send, as COC does before it opens a war room. A wrong
			secret cannot produce a plan: the error names app_secret_wo and quotes Lark's own code, and COC
			keeps the old key. (Here the platforms are the simulator's, which know the demo's apps.)`},
		{name: "readiness", title: "the Lark app's bot is switched off on Lark: caught at plan", run: notReady, simulatorOnly: true,
			realCOC: `set war_room_readiness = "warn" in the provider block, and every plan checks each binding with its platform.`, narration: `
			The provider block has war_room_readiness = "enforce": every plan, an empty one too, asks each
			binding's platform with read-only calls whether COC could open a war room with it. Somebody
			switches the Lark app's bot off on Lark; nothing changed in Terraform or COC, yet the plan fails
			on app_id, saying what is wrong and where to fix it, before the next incident finds out.`},
		{name: "replace", title: "point coc_wecom_app at a different WeCom app", run: replace, narration: `
			enterprise_id identifies the bound app, so changing it replaces the binding. A tenant binds
			one WeCom app, so Terraform unbinds the old app before it binds the new one. (Plan only.)`},
		{name: "drift", title: "somebody changes the DingTalk client secret on the console", run: drift, simulatorOnly: true,
			realCOC: "change a key on the COC console, then run terraform plan to see the warning.", narration: `
			COC never returns secrets, but its key_updated_at moves. The next plan warns that the secret
			changed outside Terraform. A write-only value was never stored, so Terraform cannot send it
			again by itself: the warning says to bump client_secret_wo_version.`},
		{name: "restore", title: "restore the configured DingTalk secret", run: restore, simulatorOnly: true,
			realCOC: "it follows the console change of the previous step.", narration: `
			As the warning says: bump client_secret_wo_version (1 -> 2), and the plan sends the configured
			secret again.`},
		{name: "import", title: "adopt a Lark binding made outside Terraform", run: adopt, simulatorOnly: true,
			realCOC: "bind an app on the COC console, then adopt it with an import block as this step does.", narration: `
			First Terraform lets go of Lark: without the resource in the configuration, apply unbinds it.
			Then a colleague binds a Lark app on the console, and an import {} block adopts it. COC cannot
			return the secrets, so the import plans one in-place update that sets them.`},
		agencyStep,
		{name: "destroy", title: "destroy everything", run: destroy, narration: `
			terraform destroy unbinds every app.`},
	}
}

var (
	wecom    = platforms.MustFor(platforms.WeCom)
	dingtalk = platforms.MustFor(platforms.DingTalk)
	lark     = platforms.MustFor(platforms.Lark)
)

// anApp names an app of each platform: "a WeCom, a DingTalk and a Lark app".
func anApp(all []platforms.Platform) string {
	var b strings.Builder
	for i, p := range all {
		switch {
		case i == 0:
		case i == len(all)-1:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("a " + p.Name)
	}
	return b.String() + " app"
}

func bindAll(ctx context.Context, d *demo) error {
	if err := d.writeConfig(); err != nil {
		return err
	}
	d.show(d.resourceBlock(lark), true)
	out, err := d.tf(ctx, "apply", "-auto-approve")
	d.applied = true
	if err != nil {
		return err
	}
	if err := mustContain(out, fmt.Sprintf("%d added, 0 changed, 0 destroyed", len(platforms.All()))); err != nil {
		return err
	}
	listed, err := d.boundApps()
	if err != nil {
		return err
	}
	var want []string
	for _, p := range platforms.All() {
		want = append(want, fmt.Sprintf("%s %s", p.AppType, d.values[varName(p, p.Identifier.Name)]))
	}
	if !slices.Equal(listed, want) {
		return fmt.Errorf("coc_mobile_apps lists %q, expected %q", listed, want)
	}
	d.ok("coc_mobile_apps lists %s.", strings.Join(listed, ", "))
	if d.sim != nil {
		for _, p := range platforms.All() {
			for _, s := range p.SecretNames() {
				if err := d.sim.checkSecret(ctx, p, s, d.values[varName(p, s)]); err != nil {
					return err
				}
			}
		}
		d.ok("COC holds the %d bindings, each with the secrets from the variables.", len(platforms.All()))
	}
	return d.checkNoSecretInState()
}

func rotate(ctx context.Context, d *demo) error {
	name := varName(lark, "app_secret")
	before, err := d.keyUpdatedAt(lark)
	if err != nil {
		return err
	}
	if d.userVars[name] {
		d.say("    (TF_VAR_%s is yours, so the rotation sends the same value again.)\n", name)
	} else {
		d.values[name] = secretValue(lark, "app_secret", "2")
	}
	d.versions[name]++
	if err := d.writeConfig(); err != nil {
		return err
	}
	if err := d.planExpect(ctx, "rotate.tfplan", nil, []string{address(lark) + " will be updated in-place", "app_secret_wo_version"},
		address(lark), "update"); err != nil {
		return err
	}
	if _, err := d.tf(ctx, "apply", "rotate.tfplan"); err != nil {
		return err
	}
	after, err := d.keyUpdatedAt(lark)
	if err != nil {
		return err
	}
	if after == before {
		return fmt.Errorf("key_updated_at is still %s after the rotation", before)
	}
	d.ok("key_updated_at moved from %s to %s.", before, after)
	if d.sim != nil {
		if err := d.sim.checkSecret(ctx, lark, "app_secret", d.values[name]); err != nil {
			return err
		}
		d.ok("COC holds the new secret.")
	}
	return d.checkNoSecretInState()
}

func replace(ctx context.Context, d *demo) error {
	other := otherWeComApp()
	vars := []string{fmt.Sprintf("-var=%s=%s", varName(wecom, wecom.Identifier.Name), other)}
	d.say("    (enterprise_id %s -> %s, with -var)\n", d.values[varName(wecom, wecom.Identifier.Name)], other)
	if err := d.planExpect(ctx, "replace.tfplan", vars, []string{address(wecom) + " must be replaced", "# forces replacement"},
		address(wecom), "delete", "create"); err != nil {
		return err
	}
	d.ok("the plan unbinds the old app, then binds the new one (delete, then create).")
	return nil
}

func drift(ctx context.Context, d *demo) error {
	if err := d.sim.changeSecrets(ctx, platforms.DingTalk, map[string]string{"client_secret": secretValue(dingtalk, "client_secret", "console")}); err != nil {
		return err
	}
	d.ok("the console changed client_secret.")
	out, code, err := d.tfCode(ctx, "plan", "-detailed-exitcode")
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("expected a plan without changes (exit code 0) and a warning; terraform plan exited with %d", code)
	}
	if err := mustContain(out, "Warning: Write-Only Secret Changed Outside Terraform", "client_secret_wo_version"); err != nil {
		return err
	}
	d.ok("the plan warns and names client_secret_wo_version; it changes nothing by itself.")
	return nil
}

func restore(ctx context.Context, d *demo) error {
	name := varName(dingtalk, "client_secret")
	d.versions[name]++
	if err := d.writeConfig(); err != nil {
		return err
	}
	if err := d.planExpect(ctx, "restore.tfplan", nil, []string{address(dingtalk) + " will be updated in-place"},
		address(dingtalk), "update"); err != nil {
		return err
	}
	if _, err := d.tf(ctx, "apply", "restore.tfplan"); err != nil {
		return err
	}
	if err := d.sim.checkSecret(ctx, dingtalk, "client_secret", d.values[name]); err != nil {
		return err
	}
	d.ok("COC holds the configured client_secret again.")
	return nil
}

func adopt(ctx context.Context, d *demo) error {
	d.config = configShape{withoutLark: true}
	if err := d.writeConfig(); err != nil {
		return err
	}
	out, err := d.tf(ctx, "apply", "-auto-approve")
	if err != nil {
		return err
	}
	if err := mustContain(out, "0 added, 0 changed, 1 destroyed"); err != nil {
		return err
	}
	bindings, err := d.sim.bindings(ctx)
	if err != nil {
		return err
	}
	if _, ok := bindings[platforms.Lark]; ok {
		return fmt.Errorf("COC still holds the Lark binding after Terraform unbound it")
	}
	d.ok("Lark is unbound.")

	onConsole := coc.BindingRequest{Fields: map[string]string{}, Secrets: map[string]string{"app_secret": secretValue(lark, "app_secret", "console")}}
	for _, f := range lark.NonSecretNames() {
		onConsole.Fields[f] = d.values[varName(lark, f)]
	}
	if err := d.sim.bind(ctx, platforms.Lark, onConsole); err != nil {
		return err
	}
	d.ok("a colleague bound Lark app %s on the console.", onConsole.Fields[lark.Identifier.Name])

	d.config = configShape{importLark: true}
	if err := d.writeConfig(); err != nil {
		return err
	}
	d.show(fmt.Sprintf("import {\n  to = %s\n  id = var.%s\n}", address(lark), varName(lark, lark.Identifier.Name)), true)
	id := onConsole.Fields[lark.Identifier.Name]
	if err := d.planExpect(ctx, "import.tfplan", nil, []string{fmt.Sprintf("(imported from %q)", id), "1 to import, 0 to add, 1 to change, 0 to destroy"},
		address(lark), "update"); err != nil {
		return err
	}
	changes, err := d.planChanges(ctx, "import.tfplan")
	if err != nil {
		return err
	}
	if imp := changes[address(lark)].Importing; imp == nil || imp.ID != id {
		return fmt.Errorf("expected the plan to import %s with ID %s", address(lark), id)
	}
	if _, err := d.tf(ctx, "apply", "import.tfplan"); err != nil {
		return err
	}
	if err := d.sim.checkSecret(ctx, lark, "app_secret", d.values[varName(lark, "app_secret")]); err != nil {
		return err
	}
	d.ok("the import's update set the configured secret.")
	if _, code, err := d.tfCode(ctx, "plan", "-detailed-exitcode"); err != nil || code != 0 {
		return fmt.Errorf("expected an empty plan after the import (exit code 0), got exit code %d: %w", code, err)
	}
	d.ok("the next plan is empty.")
	return d.checkNoSecretInState()
}

func destroy(ctx context.Context, d *demo) error {
	out, err := d.tf(ctx, "destroy", "-auto-approve")
	if err != nil {
		return err
	}
	if err := mustContain(out, fmt.Sprintf("Destroy complete! Resources: %d destroyed.", len(platforms.All()))); err != nil {
		return err
	}
	d.applied = false
	resources, _, err := d.stateResources()
	if err != nil {
		return err
	}
	if len(resources) != 0 {
		return fmt.Errorf("the state still holds %v", slices.Sorted(maps.Keys(resources)))
	}
	if d.sim != nil {
		bindings, err := d.sim.bindings(ctx)
		if err != nil {
			return err
		}
		if len(bindings) != 0 {
			return fmt.Errorf("COC still holds bindings for %v after terraform destroy", slices.Sorted(maps.Keys(bindings)))
		}
		d.ok("COC holds no binding.")
	}
	return nil
}

// planExpect saves a plan, checks that its text says what the step narrates and that it
// changes only the given resource with the given actions, and keeps the file for apply.
func (d *demo) planExpect(ctx context.Context, planFile string, extraArgs, phrases []string, addr string, actions ...string) error {
	out, err := d.tf(ctx, append(append([]string{"plan"}, extraArgs...), "-out="+planFile)...)
	if err != nil {
		return err
	}
	if err := mustContain(out, phrases...); err != nil {
		return err
	}
	changes, err := d.planChanges(ctx, planFile)
	if err != nil {
		return err
	}
	return expectOnly(changes, addr, actions...)
}

// boundApps reads the bound_apps output from the state.
func (d *demo) boundApps() ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(d.work, "terraform.tfstate"))
	if err != nil {
		return nil, err
	}
	var state struct {
		Outputs map[string]struct {
			Value []string `json:"value"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		return nil, err
	}
	return state.Outputs["bound_apps"].Value, nil
}

// checkNoSecretInState reads the raw state file: the write-only pattern keeps every secret out.
func (d *demo) checkNoSecretInState() error {
	_, raw, err := d.stateResources()
	if err != nil {
		return err
	}
	n := 0
	for _, p := range platforms.All() {
		for _, s := range p.SecretNames() {
			n++
			if strings.Contains(string(raw), d.values[varName(p, s)]) {
				return fmt.Errorf("the state file holds the value of %s", varName(p, s))
			}
		}
	}
	d.ok("terraform.tfstate holds none of the %d secrets.", n)
	return nil
}
