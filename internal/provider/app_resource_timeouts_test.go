package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// hangFor10Minutes holds matching requests far longer than any test waits; the simulator lets
// go as soon as the client gives up.
func hangFor10Minutes(method string, appType platforms.AppType) simulator.Fault {
	return simulator.Fault{Method: method, PathPrefix: coc.MobileAppsPath + "/" + string(appType), LatencyMS: int((10 * time.Minute).Milliseconds())}
}

// A hung COC is given up on when the resource's timeouts say so, and nothing is half-done. A
// create that timed out had been sent, so COC might have made the binding: the apply fails and
// records nothing, and the next plan, finding nothing bound, creates it. A delete that timed out
// fails with an error that says what to do and leaves the binding and the state (the next plan
// is empty).
func TestAccAppResource_TimeoutsOnAHungServer(t *testing.T) {
	pc := platformCaseFor(platforms.Lark)
	env := newSimEnv(t, 1)
	addr := pc.address("this")
	config := env.providerBlock(0, "") + pc.resourceBlock("this", map[string]string{"timeouts": `{
    create = "1s"
    delete = "1s"
  }`})
	inject := func(f simulator.Fault) func() {
		return func() {
			env.sim.ClearFaults()
			if err := env.sim.InjectFault(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   inject(hangFor10Minutes(http.MethodPost, pc.appType)),
				Config:      config,
				ExpectError: errorPattern("Lark App Binding Not Confirmed", "context deadline exceeded", "Terraform records nothing"),
			},
			{
				PreConfig: func() {
					env.sim.ClearFaults()
					if n := len(env.bindings(t, 0)); n != 0 {
						t.Fatalf("the timed-out create left %d bindings", n)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: env.expectOneBinding(pc),
			},
			{
				PreConfig: inject(hangFor10Minutes(http.MethodDelete, pc.appType)),
				Config:    config,
				Destroy:   true,
				ExpectError: errorPattern("Failed to Delete Lark App Binding", "context deadline exceeded",
					"did not finish within its timeout", "raise the limit in the resource's timeouts block"),
			},
			{
				PreConfig: env.sim.ClearFaults,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: env.expectOneBinding(pc),
			},
		},
	})
}

// Ctrl-C during an apply that waits on a hung COC: terraform stops promptly, the provider
// process goes with it, and the state records the two bindings made before the interrupt, not
// the one that was hanging: it had been sent, so COC might have made it, and its create failed
// saying so. Applying again finishes the job.
func TestCLI_InterruptDuringApplyOnAHungServer(t *testing.T) {
	requireLinux(t)
	t.Parallel()
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	hung := platformCaseFor(platforms.Lark)
	if err := env.sim.InjectFault(hangFor10Minutes(http.MethodPost, hung.appType)); err != nil {
		t.Fatal(err)
	}
	config := requiredProviders + env.providerBlock(0, "")
	for _, pc := range platformCases {
		config += pc.resourceBlock("this", nil)
	}
	w.WriteConfig(t, config)

	// Terraform has recorded the other creates (not just COC made them) and the Lark one hangs.
	others := len(platformCases) - 1
	out := interruptApply(t, w, "the other bindings to be made and the Lark create to hang", func(out string) bool {
		return strings.Count(out, ": Creation complete after") == others && env.sim.Faults()[0].Fired == 1
	})
	for _, want := range []string{"Lark App Binding Not Confirmed", "The operation was interrupted", "Run terraform apply again"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}

	bound := func() []string {
		var addrs []string
		for appType := range env.bindings(t, 0) {
			addrs = append(addrs, platformCaseFor(appType).address("this"))
		}
		slices.Sort(addrs)
		return addrs
	}
	if recorded, made := stateAddresses(t, w), bound(); len(made) != others || !slices.Equal(recorded, made) {
		t.Fatalf("the state records %v; COC holds %v, and the Lark binding should not be recorded", recorded, made)
	}
	// Applying again creates only what is missing.
	env.sim.ClearFaults()
	if applied := w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color"); !strings.Contains(applied, "1 added, 0 changed, 0 destroyed") {
		t.Fatalf("applying again:\n%s", applied)
	}
	if n := len(env.bindings(t, 0)); n != len(platformCases) {
		t.Fatalf("COC holds %d bindings after applying again, want %d", n, len(platformCases))
	}
	w.Terraform(t, "destroy", "-auto-approve", "-input=false")
}

// Ctrl-C lands while COC has made the bindings but not yet answered: each create fails saying
// that nothing confirmed it, and the state records none of them. The next apply's plan warns that
// COC holds each as an earlier create of it made it, and the apply sends each create again with
// its idempotency key: COC recognises them, so nothing is bound twice, nothing is unbound, and no
// import is needed. Then the plan is empty, COC holds each binding once with the configured
// secrets, and destroy removes them.
func TestCLI_InterruptAfterCreatesCommitted(t *testing.T) {
	requireLinux(t)
	t.Parallel()
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	if err := env.sim.InjectFault(simulator.Fault{Method: http.MethodPost, LatencyAfterCommitMS: int((10 * time.Minute).Milliseconds())}); err != nil {
		t.Fatal(err)
	}
	config := requiredProviders + env.providerBlock(0, "")
	for _, pc := range platformCases {
		config += pc.resourceBlock("this", nil)
	}
	w.WriteConfig(t, config)

	out := interruptApply(t, w, "COC to make every binding", func(string) bool { return len(env.bindings(t, 0)) == len(platformCases) })
	for _, pc := range platformCases {
		if want := displayNameOf(pc) + " App Binding Not Confirmed"; !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if recorded := stateAddresses(t, w); len(recorded) != 0 {
		t.Fatalf("the state records %v, want nothing", recorded)
	}

	env.sim.ClearFaults()
	env.sim.ClearRequests()
	applied := w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if !strings.Contains(applied, fmt.Sprintf("%d added, 0 changed, 0 destroyed", len(platformCases))) ||
		strings.Count(unwrapped(applied), "Bound by an Earlier Create of This Binding") != len(platformCases) {
		t.Fatalf("applying again should record each binding, saying why:\n%s", applied)
	}
	for _, write := range env.writes() {
		if !strings.HasPrefix(write, "POST ") || !strings.HasSuffix(write, " 201") {
			t.Fatalf("writes %v: want only the creates sent again, answered as made", env.writes())
		}
	}
	w.Terraform(t, "plan", "-detailed-exitcode", "-input=false")
	for _, pc := range platformCases {
		b := env.bindings(t, 0)[pc.appType]
		for s, v := range pc.secretValues("1") {
			if b.Identifier() != pc.ids[0] || b.Fingerprints[s] != simulator.Fingerprint(v) {
				t.Errorf("%s: COC holds %+v, not the configured %s", pc.typeName, b, s)
			}
		}
	}
	w.Terraform(t, "destroy", "-auto-approve", "-input=false")
	if n := len(env.bindings(t, 0)); n != 0 {
		t.Fatalf("%d bindings left after destroy", n)
	}
}

// interruptApply starts terraform apply, sends it SIGINT once ready says so, and returns its
// output. Terraform must stop because of the interrupt, and take its provider processes along.
func interruptApply(t *testing.T, w *cliWorkspace, what string, ready func(out string) bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := w.Command(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, what, func() bool { return ready(out.String()) })
	providers := childProcesses(t, cmd.Process.Pid, "terraform-provider-coc")
	if len(providers) == 0 {
		t.Fatal("found no provider process under terraform")
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	interrupted := time.Now()
	err := cmd.Wait()
	// Not a speed target: the server would hang for ten minutes, so this only tells "stopped
	// because of the interrupt" from "waited for the server".
	if waited := time.Since(interrupted); waited > time.Minute {
		t.Fatalf("terraform took %v to stop after the interrupt", waited)
	}
	if err == nil {
		t.Fatalf("the interrupted apply succeeded:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Interrupt received") {
		t.Errorf("the output lacks %q:\n%s", "Interrupt received", out.String())
	}
	waitFor(t, "the provider processes to exit", func() bool {
		return !slices.ContainsFunc(providers, processRunning)
	})
	return out.String()
}

func stateAddresses(t *testing.T, w *cliWorkspace) []string {
	t.Helper()
	var addrs []string
	for _, r := range shownResources(t, w) {
		addrs = append(addrs, r.Address)
	}
	slices.Sort(addrs)
	return addrs
}

// shownResource is a resource as `terraform show -json` renders it.
type shownResource struct {
	Address string         `json:"address"`
	Values  map[string]any `json:"values"`
}

// shownResources returns the workspace's state as `terraform show -json` renders it.
func shownResources(t *testing.T, w *cliWorkspace) []shownResource {
	t.Helper()
	out := w.Terraform(t, "show", "-json")
	var shown struct {
		Values struct {
			RootModule struct {
				Resources []shownResource `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &shown); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	return shown.Values.RootModule.Resources
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// requireLinux skips a test that finds terraform's provider processes in /proc, which only Linux
// has.
func requireLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("finds terraform's provider processes in /proc, which %s does not have", runtime.GOOS)
	}
}

// childProcesses lists the children of pid whose executable is named name (Linux /proc).
func childProcesses(t *testing.T, pid int, name string) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var children []int
	for _, stat := range stats {
		fields := procStat(stat)
		if len(fields) < 2 || fields[1] != strconv.Itoa(pid) {
			continue
		}
		dir := filepath.Dir(stat)
		if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil && filepath.Base(exe) == name {
			child, _ := strconv.Atoi(filepath.Base(dir))
			children = append(children, child)
		}
	}
	return children
}

// procStat returns a process's state and parent pid from /proc/<pid>/stat.
func procStat(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	// The command name, in parentheses, may hold spaces; the fields after it do not.
	rest := string(data[bytes.LastIndexByte(data, ')')+1:])
	fields := strings.Fields(rest)
	if len(fields) < 2 {
		return nil
	}
	return fields[:2]
}

func processRunning(pid int) bool {
	fields := procStat(fmt.Sprintf("/proc/%d/stat", pid))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
