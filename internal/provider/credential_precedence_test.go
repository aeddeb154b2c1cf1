package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// precedenceWorld is three accounts in the simulator: tenant 0's key pair and account ID are
// exported in the environment, as a huaweicloud pipeline leaves them, and a KooCLI file holds a
// profile for each of the other two, tenant-b (with its domainId) and tenant-c (without).
type precedenceWorld struct {
	*simEnv
	ws   *cliWorkspace
	file string
}

func newPrecedenceWorld(t *testing.T, extraEnv ...string) *precedenceWorld {
	t.Helper()
	env := newSimEnv(t, 3)
	ambient := env.tenants[0]
	w := &precedenceWorld{simEnv: env, ws: newCLIWorkspace(t, append([]string{envAccessKey + "=" + ambient.AccessKey,
		envSecretKey + "=" + ambient.SecretKey, envDomainID + "=" + ambient.DomainID}, extraEnv...)...)}
	b, c := env.tenants[1], env.tenants[2]
	w.file = writeKooCLIConfig(t, w.ws.Dir, "tenant-c",
		kooCLIProfile{"name": "tenant-b", "mode": "AKSK", "accessKeyId": b.AccessKey, "secretAccessKey": b.SecretKey, "domainId": b.DomainID},
		kooCLIProfile{"name": "tenant-c", "mode": "AKSK", "accessKeyId": c.AccessKey, "secretAccessKey": c.SecretKey})
	return w
}

// profileProvider is a provider block that names a profile of the world's file.
func (w *precedenceWorld) profileProvider(alias, profile string, extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"coc\" {\n")
	if alias != "" {
		fmt.Fprintf(&b, "  alias = %q\n", alias)
	}
	fmt.Fprintf(&b, "  endpoint = %q\n  shared_config_file = %q\n  profile = %q\n", w.url, w.file, profile)
	for _, line := range extra {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// expectBindings checks how many bindings each tenant's account holds.
func (w *precedenceWorld) expectBindings(t *testing.T, want ...int) {
	t.Helper()
	for i, n := range want {
		if got := len(w.bindings(t, i)); got != n {
			t.Errorf("the account of tenant %d (%s) holds %d bindings, want %d", i, w.tenants[i].DomainID, got, n)
		}
	}
}

// cocSigners are the access keys that signed COC's requests.
func (w *precedenceWorld) cocSigners() []string {
	var keys []string
	for _, r := range w.sim.Requests() {
		if strings.HasPrefix(r.Path, coc.MobileAppsPath) && !slices.Contains(keys, r.AccessKey) {
			keys = append(keys, r.AccessKey)
		}
	}
	slices.Sort(keys)
	return keys
}

// A provider block that names a KooCLI profile binds in the profile's account, although another
// account's key pair and account ID are exported; HW_DOMAIN_ID, the other account's, is not sent
// (COC would refuse it with the profile's key). The log says which variables were ignored, by name.
func TestCLI_AnExplicitProfileWinsOverTheEnvironmentsKeyPair(t *testing.T) {
	t.Parallel()
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	w := newPrecedenceWorld(t, "TF_LOG=INFO", "TF_LOG_PATH="+logFile)
	w.ws.WriteConfig(t, requiredProviders+w.profileProvider("", "tenant-b")+platformCaseFor(platforms.Lark).resourceBlock("this", nil))
	w.ws.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")

	w.expectBindings(t, 0, 1, 0)
	if signers, want := w.cocSigners(), []string{w.tenants[1].AccessKey}; !slices.Equal(signers, want) {
		t.Errorf("COC's requests were signed by %v, want %v, tenant-b's", signers, want)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for l := range strings.Lines(string(log)) {
		if strings.Contains(l, "The provider block names the source of the credentials (profile)") {
			line = l
		}
	}
	if line == "" || !strings.Contains(line, "ignored_variables=\"HW_ACCESS_KEY, HW_SECRET_KEY, HW_DOMAIN_ID\"") {
		t.Errorf("no INFO line names the ignored variables; the last one is %q", line)
	}
	if strings.Contains(string(log), w.tenants[0].SecretKey) {
		t.Errorf("the log shows the ignored secret key")
	}
}

// Two aliases naming two profiles each bind in their own account, with a third account's key pair
// exported; a second plan, whose refreshes read each account, changes nothing.
func TestCLI_TwoAliasesNamingTwoProfilesActInTwoAccounts(t *testing.T) {
	t.Parallel()
	w := newPrecedenceWorld(t)
	lark := platformCaseFor(platforms.Lark)
	w.ws.WriteConfig(t, requiredProviders+w.profileProvider("b", "tenant-b")+w.profileProvider("c", "tenant-c")+
		lark.resourceBlock("b", map[string]string{"provider": "coc.b"})+lark.resourceBlock("c", map[string]string{"provider": "coc.c"}))
	w.ws.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")

	w.expectBindings(t, 0, 1, 1)
	if signers, want := w.cocSigners(), []string{w.tenants[1].AccessKey, w.tenants[2].AccessKey}; !slices.Equal(signers, want) {
		t.Errorf("COC's requests were signed by %v, want %v, the profiles' keys", signers, want)
	}
	w.ws.Terraform(t, "plan", "-detailed-exitcode", "-input=false", "-no-color")
}

// A provider block that names two sources fails the plan on the second one's argument, naming
// both, before any request.
func TestCLI_ABlockNamingTwoSourcesFailsThePlan(t *testing.T) {
	t.Parallel()
	w := newPrecedenceWorld(t)
	tenant := w.tenants[1]
	w.ws.WriteConfig(t, requiredProviders+w.profileProvider("", "tenant-b", fmt.Sprintf("access_key = %q", tenant.AccessKey),
		fmt.Sprintf("secret_key = %q", tenant.SecretKey))+platformCaseFor(platforms.Lark).resourceBlock("this", nil))
	out, err := w.ws.Run("plan", "-input=false", "-no-color")
	if err == nil || !errorPattern("Conflicting Credential Sources", `profile = "tenant-b"`,
		"access_key (an access key pair) and profile (a KooCLI profile)", "alias").MatchString(out) {
		t.Fatalf("want the plan to fail on profile, naming access_key and profile; got %v:\n%s", err, out)
	}
	if requests := w.sim.Requests(); len(requests) != 0 {
		t.Fatalf("a block naming two sources reached the simulator: %+v", requests)
	}
}
