package provider

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The fault soak drives many tenants, each with its own aliased provider (so its own provider
// process), through rounds of create, rotate (and change a field) and destroy with real
// Terraform, while the simulator disturbs a share of all requests. After every step COC's state
// must equal the configuration (no binding lost, none duplicated, every secret the configured
// one) and Terraform's state must agree with both. In each round one create commits without an
// answer the provider can use, however often it is sent: the apply fails saying that nothing
// confirmed it, and the next apply must settle it with the create's idempotency key, without an
// import and without binding or unbinding anything twice. `make test` runs a small form; `make
// soak` runs the full one and prints the figures.

// soakFaults disturb about 15 % of all requests. The 429s ask for one second, as a real
// gateway would; everything else is retried with the shipped backoff.
var soakFaults = []simulator.Fault{
	{Status: http.StatusServiceUnavailable, Probability: 0.03},
	{Status: http.StatusInternalServerError, Probability: 0.015},
	{Status: http.StatusBadGateway, Probability: 0.015},
	{Status: http.StatusTooManyRequests, RetryAfter: 1, Probability: 0.03},
	{LatencyMS: 300, Probability: 0.03},
	{Drop: simulator.DropBeforeCommit, Probability: 0.02},
	{Drop: simulator.DropAfterCommit, Probability: 0.025},
	{Method: http.MethodPost, Truncate: true, Probability: 0.05},
}

// outageRetries is the max_retries of the tenant that meets an outage in a round: its provider
// block sets it, and the outage outlasts it, so that the round shows what a user sees when
// retries run out and that applying again converges.
const outageRetries = 2

type soakSize struct{ tenants, rounds int }

// soakSizeFromEnv reads COC_SOAK_TENANTS and COC_SOAK_ROUNDS (`make soak` sets them).
func soakSizeFromEnv(t *testing.T) soakSize {
	size := soakSize{tenants: 4, rounds: 1}
	for name, target := range map[string]*int{"COC_SOAK_TENANTS": &size.tenants, "COC_SOAK_ROUNDS": &size.rounds} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				t.Fatalf("%s=%q: want a positive whole number", name, v)
			}
			*target = n
		}
	}
	return size
}

func TestCLI_FaultSoak(t *testing.T) {
	t.Parallel()
	size := soakSizeFromEnv(t)
	s := &soak{t: t, env: newSimEnv(t, size.tenants), w: newCLIWorkspace(t), size: size,
		figures: soakFigures{operations: map[string]int{}, faults: map[string]int{}}}
	s.env.sim.SetRateLimit(4, 6)
	s.w.WriteConfig(t, requiredProviders)
	start := time.Now()
	for s.round = 0; s.round < size.rounds; s.round++ {
		s.startRound()
		s.apply("create", s.desired(func(int) int { return 0 }))
		// The outage: this round's outage tenant cannot update its Lark binding for longer than
		// its retries last.
		outage := s.round % size.tenants
		if err := s.env.sim.InjectFault(simulator.Fault{
			AccessKey: s.env.tenants[outage].AccessKey, Method: http.MethodPut, PathPrefix: coc.MobileAppsPath + "/" + string(platforms.Lark),
			Status: http.StatusServiceUnavailable, Times: outageRetries + 1,
		}); err != nil {
			t.Fatal(err)
		}
		s.apply("rotate", s.desired(func(i int) int { return i % 2 }))
		s.destroy()
	}
	s.figures.elapsed = time.Since(start)
	s.report()
}

// startRound puts the round's fault rules in place: first the lost create's, so that no random
// fault comes before them, then the random ones. The lost create's answers are lost for the
// round's first apply only.
func (s *soak) startRound() {
	s.setFaults(append(s.lostCreate(), soakFaults...))
	s.afterRun = func() { s.setFaults(soakFaults) }
}

// lostCreate makes one create of the round commit without a usable answer, a dropped one or,
// every other round, a 201 cut in half, every time it is sent, so that the provider cannot tell
// whether the binding was made. The tenant is not the round's outage tenant, and the platform
// changes from round to round.
func (s *soak) lostCreate() []simulator.Fault {
	answer := simulator.Fault{Drop: simulator.DropAfterCommit}
	if s.round%2 == 1 {
		answer = simulator.Fault{Truncate: true}
	}
	answer.Method = http.MethodPost
	answer.AccessKey = s.env.tenants[(s.round+1)%s.size.tenants].AccessKey
	answer.PathPrefix = coc.MobileAppsPath + "/" + string(platformCases[s.round%len(platformCases)].appType)
	return []simulator.Fault{answer}
}

// setFaults replaces the simulator's fault rules, after adding how often the old ones fired to
// the figures.
func (s *soak) setFaults(rules []simulator.Fault) {
	s.tallyFaults()
	for _, f := range rules {
		if err := s.env.sim.InjectFault(f); err != nil {
			s.t.Fatal(err)
		}
	}
}

// tallyFaults adds how often each rule fired to the figures, and removes the rules.
func (s *soak) tallyFaults() {
	for _, rule := range s.env.sim.Faults() {
		s.figures.faults[faultKind(rule.Fault)] += rule.Fired
	}
	s.env.sim.ClearFaults()
}

type soak struct {
	t       *testing.T
	env     *simEnv
	w       *cliWorkspace
	size    soakSize
	round   int
	version int
	// afterRun, when set, runs once, after the next terraform run.
	afterRun func()
	figures  soakFigures
}

type soakFigures struct {
	runs                                   int
	operations                             map[string]int
	faults                                 map[string]int // fired, by kind
	requests, throttled, retries           int
	cutAnswers, resentCreates              int
	unconfirmed, resumed                   int
	surfaced                               int
	lost, duplicated, stale, stateMismatch int
	elapsed                                time.Duration
}

// soakBinding is one binding the configuration asks for.
type soakBinding struct {
	pc        platformCase
	tenant    int
	fields    map[string]string // the identifier and the plain fields
	secrets   map[string]string
	writeOnly bool
	version   int
}

func (b soakBinding) address() string { return b.pc.address(soakAlias(b.tenant)) }

func soakAlias(i int) string { return fmt.Sprintf("t%02d", i) }

// maxRetries is what tenant i's provider block allows in the current round.
func (s *soak) maxRetries(i int) int {
	if i == s.round%s.size.tenants {
		return outageRetries
	}
	return hwhttp.DefaultMaxRetries
}

// desired returns the bindings of the next step: every secret gets a new value, and each
// tenant's plain fields take the variant fieldSet(tenant). Odd tenants use write-only secrets.
func (s *soak) desired(fieldSet func(tenant int) int) []soakBinding {
	s.version++
	var out []soakBinding
	for i := range s.size.tenants {
		for _, pc := range platformCases {
			b := soakBinding{pc: pc, tenant: i, fields: map[string]string{}, secrets: map[string]string{}, writeOnly: i%2 == 1, version: s.version}
			b.fields[pc.platform.Identifier.Name] = pc.platform.Identifier.Numbered(i)
			for f, v := range pc.fields {
				b.fields[f] = v[fieldSet(i)]
			}
			for _, secret := range pc.platform.SecretNames() {
				b.secrets[secret] = pc.secret(secret, fmt.Sprintf("t%02dv%d", i, s.version))
			}
			out = append(out, b)
		}
	}
	return out
}

func (s *soak) config(want []soakBinding) string {
	var b strings.Builder
	b.WriteString(requiredProviders)
	for i := range s.size.tenants {
		var extra []string
		if retries := s.maxRetries(i); retries != hwhttp.DefaultMaxRetries {
			extra = append(extra, fmt.Sprintf("max_retries = %d", retries))
		}
		b.WriteString(s.env.providerBlock(i, soakAlias(i), extra...))
	}
	for _, w := range want {
		attrs := map[string]string{"provider": "coc." + soakAlias(w.tenant)}
		for f, v := range w.fields {
			attrs[f] = strconv.Quote(v)
		}
		for secret, v := range w.secrets {
			if w.writeOnly {
				attrs[secret+writeOnlySuffix] = strconv.Quote(v)
				attrs[secret+versionSuffix] = strconv.Itoa(w.version)
			} else {
				attrs[secret] = strconv.Quote(v)
			}
		}
		b.WriteString(w.pc.resourceBlock(soakAlias(w.tenant), attrs))
	}
	return b.String()
}

func (s *soak) apply(step string, want []soakBinding) {
	s.w.WriteConfig(s.t, s.config(want))
	s.converge(step, "apply", "-auto-approve")
	s.verify(step, want)
}

func (s *soak) destroy() {
	s.converge("destroy", "destroy", "-auto-approve")
	s.verify("destroy", nil, "-destroy")
}

// converge runs terraform until it succeeds, as a user would after a failed run. Every failure
// on the way must be one a user may see: an operation whose retries ran out, saying so, or a
// create that nothing confirmed however often it was sent.
func (s *soak) converge(step string, args ...string) {
	args = append(args, "-input=false", "-json", "-parallelism=10")
	for attempt := 1; ; attempt++ {
		from := len(s.env.sim.Requests())
		out, err := s.w.Run(args...)
		if after := s.afterRun; after != nil {
			s.afterRun = nil
			after()
		}
		requests := s.env.sim.Requests()[from:]
		s.figures.runs++
		s.count(requests)
		messages := terraformMessages(out)
		resumed := map[string]bool{} // terraform apply plans twice, and warns each time
		for _, m := range messages {
			switch {
			case m.Type == "apply_complete":
				s.figures.operations[m.Hook.Action]++
			case m.Type != "diagnostic":
			case strings.HasSuffix(m.Diagnostic.Summary, " App Binding Not Confirmed"):
				s.figures.unconfirmed++
			case strings.HasSuffix(m.Diagnostic.Summary, " Bound by an Earlier Create of This Binding"):
				resumed[m.Diagnostic.Address] = true
			}
		}
		s.figures.resumed += len(resumed)
		if err == nil {
			return
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			s.t.Fatalf("round %d %s: terraform %s: %v\n%s", s.round, step, args[0], err, out)
		}
		if args[0] == "plan" && exit.ExitCode() == 2 {
			s.t.Fatalf("round %d %s: the plan is not empty:\n%s", s.round, step, out)
		}
		s.checkSurfaced(step, messages, requests)
		if attempt == 3 {
			s.t.Fatalf("round %d %s: terraform %s still fails after %d attempts:\n%s", s.round, step, args[0], attempt, out)
		}
	}
}

var apiOperation = regexp.MustCompile(`(GET|POST|PUT|DELETE) (` + regexp.QuoteMeta(coc.MobileAppsPath) + `/[a-z]+)`)

// checkSurfaced accepts an error only when it says that retries ran out and the request log
// proves it: the operation it names ended in more consecutive transient failures than the
// tenant's max_retries allows. Terraform names the resource of most errors, but not of a failed
// delete; such an error must match an exhausted operation no other error accounts for.
func (s *soak) checkSurfaced(step string, messages []terraformMessage, requests []simulator.RequestRecord) {
	exhausted := map[string]bool{} // "tenant method path"
	runs := map[string]int{}
	for _, r := range requests {
		tenant := slices.IndexFunc(s.env.tenants, func(t simulator.Tenant) bool { return t.AccessKey == r.AccessKey })
		key := fmt.Sprintf("%d %s %s", tenant, r.Method, r.Path)
		runs[key]++
		if !transientFailure(r) {
			runs[key] = 0
		}
		exhausted[key] = runs[key] > s.maxRetries(tenant)
	}
	for _, m := range messages {
		d := m.Diagnostic
		if m.Type != "diagnostic" || d.Severity != "error" {
			continue
		}
		s.figures.surfaced++
		where := fmt.Sprintf("round %d %s: %s", s.round, step, cmp.Or(d.Address, "(no address)"))
		// "after the provider's retries (max_retries)" for an answer, "after its retries
		// (max_retries = n)" for a request that got none.
		if !strings.Contains(d.Detail, "retries (max_retries") && !strings.HasSuffix(d.Summary, " App Binding Not Confirmed") {
			s.t.Errorf("%s: an error that is not about exhausted retries reached the user: %s: %s", where, d.Summary, d.Detail)
			continue
		}
		tenants := []int{}
		for i := range s.size.tenants {
			if d.Address == "" || strings.HasSuffix(d.Address, "."+soakAlias(i)) {
				tenants = append(tenants, i)
			}
		}
		claimed := ""
		for _, op := range apiOperation.FindAllStringSubmatch(d.Detail, -1) {
			for _, i := range tenants {
				if key := fmt.Sprintf("%d %s %s", i, op[1], op[2]); exhausted[key] && claimed == "" {
					claimed = key
				}
			}
		}
		if claimed == "" {
			s.t.Errorf("%s: the request log does not show retries running out for: %s: %s", where, d.Summary, d.Detail)
			continue
		}
		exhausted[claimed] = false
	}
}

// transientFailure reports an answer that another attempt may mend: none (a dropped
// connection), throttling, a server fault, or a 201 cut in half, which a create sends again.
func transientFailure(r simulator.RequestRecord) bool {
	return r.Status == 0 || r.Status == http.StatusTooManyRequests || r.Status >= 500 || r.Fault == "truncate"
}

// count adds one run's requests to the figures. A retry repeats a call (same tenant, method and
// path) right after it failed transiently; a create sent again after its answer was lost or cut
// is one of them, and carries the same idempotency key.
func (s *soak) count(requests []simulator.RequestRecord) {
	s.figures.requests += len(requests)
	lastCall := map[string]simulator.RequestRecord{}
	for _, r := range requests {
		call := r.AccessKey + " " + r.Method + " " + r.Path
		if prev, ok := lastCall[call]; ok && transientFailure(prev) {
			s.figures.retries++
			if r.Method == http.MethodPost {
				s.figures.resentCreates++
				if r.IdempotencyKey == "" || r.IdempotencyKey != prev.IdempotencyKey {
					s.t.Errorf("a create was sent again with the key %q after %q", r.IdempotencyKey, prev.IdempotencyKey)
				}
			}
		}
		if r.Status == http.StatusTooManyRequests && r.Fault == "" {
			s.figures.throttled++
		}
		if r.Fault == "truncate" {
			s.figures.cutAnswers++
		}
		lastCall[call] = r
	}
}

// verify compares COC's state, Terraform's state and the configuration, and checks that a plan
// has nothing left to do.
func (s *soak) verify(step string, want []soakBinding, planArgs ...string) {
	t := s.t
	where := fmt.Sprintf("round %d %s", s.round, step)
	stored := map[string]simulator.BindingState{}
	for i, tenant := range s.env.tenants {
		states, err := s.env.sim.Bindings(tenant.AccessKey)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range states {
			stored[platformCaseFor(b.AppType).address(soakAlias(i))] = b
		}
	}
	wanted := map[string]soakBinding{}
	for _, w := range want {
		wanted[w.address()] = w
		got, ok := stored[w.address()]
		if !ok {
			s.figures.lost++
			t.Errorf("%s: %s is configured but COC holds no such binding", where, w.address())
			continue
		}
		for f, v := range w.fields {
			if got.Fields[f] != v {
				s.figures.stale++
				t.Errorf("%s: %s: COC holds %s = %q, the configuration %q", where, w.address(), f, got.Fields[f], v)
			}
		}
		for secret, v := range w.secrets {
			if got.Fingerprints[secret] != simulator.Fingerprint(v) {
				s.figures.stale++
				t.Errorf("%s: %s: COC holds another %s than the configured one", where, w.address(), secret)
			}
		}
	}
	for addr := range stored {
		if _, ok := wanted[addr]; !ok {
			s.figures.duplicated++
			t.Errorf("%s: COC holds %s, which the configuration does not ask for", where, addr)
		}
	}
	s.verifyTerraformState(where, wanted, stored)
	s.converge(step+" plan", append([]string{"plan", "-detailed-exitcode"}, planArgs...)...)
}

func platformCaseFor(t platforms.AppType) platformCase {
	for _, pc := range platformCases {
		if pc.appType == t {
			return pc
		}
	}
	panic("no platform case for " + string(t))
}

// verifyTerraformState checks `terraform show -json` against the configuration and COC.
func (s *soak) verifyTerraformState(where string, wanted map[string]soakBinding, stored map[string]simulator.BindingState) {
	resources := shownResources(s.t, s.w)
	s.figures.runs++
	mismatch := func(format string, args ...any) {
		s.figures.stateMismatch++
		s.t.Errorf(where+": Terraform state: "+format, args...)
	}
	seen := map[string]bool{}
	for _, r := range resources {
		seen[r.Address] = true
		w, ok := wanted[r.Address]
		if !ok {
			mismatch("%s is recorded but not configured", r.Address)
			continue
		}
		expect := map[string]any{attrID: w.fields[w.pc.platform.Identifier.Name]}
		for f, v := range w.fields {
			expect[f] = v
		}
		for secret, v := range w.secrets {
			if w.writeOnly {
				expect[secret], expect[secret+writeOnlySuffix], expect[secret+versionSuffix] = nil, nil, float64(w.version)
			} else {
				expect[secret], expect[secret+writeOnlySuffix], expect[secret+versionSuffix] = v, nil, nil
			}
		}
		if b, ok := stored[r.Address]; ok {
			expect[attrCreatedAt] = coc.FormatTimestamp(b.CreatedAt)
			expect[attrUpdatedAt] = coc.FormatTimestamp(b.UpdatedAt)
			expect[attrKeyUpdatedAt] = coc.FormatTimestamp(b.KeyUpdatedAt)
		}
		for name, v := range expect {
			if r.Values[name] != v {
				mismatch("%s.%s is %v, want %v", r.Address, name, r.Values[name], v)
			}
		}
	}
	for addr := range wanted {
		if !seen[addr] {
			mismatch("%s is configured but not recorded", addr)
		}
	}
}

func (s *soak) report() {
	s.tallyFaults()
	f := s.figures
	faults := 0
	for _, n := range f.faults {
		faults += n
	}
	share := 100 * float64(faults) / float64(max(f.requests, 1))
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "fault soak\t%d rounds × %d tenants × %d bindings, -parallelism=10, %s\n", s.size.rounds, s.size.tenants, len(platformCases),
		f.elapsed.Round(time.Second))
	fmt.Fprintf(tw, "terraform runs\t%d\n", f.runs)
	fmt.Fprintf(tw, "resource operations\t%d (create %d, update %d, delete %d)\n",
		f.operations["create"]+f.operations["update"]+f.operations["delete"], f.operations["create"], f.operations["update"], f.operations["delete"])
	fmt.Fprintf(tw, "API requests\t%d\n", f.requests)
	fmt.Fprintf(tw, "faults injected\t%d (%.1f %% of requests): %s\n", faults, share, describeKinds(f.faults))
	fmt.Fprintf(tw, "throttled by the rate limit\t%d\n", f.throttled)
	fmt.Fprintf(tw, "retries\t%d\n", f.retries)
	fmt.Fprintf(tw, "creates sent again with their idempotency key\t%d (%d 201 answers cut)\n", f.resentCreates, f.cutAnswers)
	fmt.Fprintf(tw, "creates not confirmed\t%d (each failed its apply; the next plan found %d made by its key, and the apply recorded them)\n",
		f.unconfirmed, f.resumed)
	fmt.Fprintf(tw, "failures surfaced\t%d (every one after exhausted retries or an unconfirmed create; applying again converged)\n", f.surfaced)
	fmt.Fprintf(tw, "lost / duplicated / stale bindings\t%d / %d / %d\n", f.lost, f.duplicated, f.stale)
	fmt.Fprintf(tw, "Terraform state mismatches\t%d\n", f.stateMismatch)
	_ = tw.Flush()
	s.t.Log("\n" + b.String())
	// The share is random; only a run large enough to make it meaningful must reach 10 %.
	if f.requests >= 1000 && share < 10 {
		s.t.Errorf("only %.1f %% of requests were disturbed; the soak promises at least 10 %%", share)
	}
}

func faultKind(f simulator.Fault) string {
	kind := "latency"
	switch {
	case f.Drop != "":
		kind = "drop " + strings.ReplaceAll(string(f.Drop), "_", " ")
	case f.Truncate:
		kind = "cut 201"
	case f.Status != 0:
		kind = strconv.Itoa(f.Status)
	}
	// Rules for one tenant are the round's outage and lost create; the others disturb everyone.
	switch {
	case f.AccessKey != "" && f.Method == http.MethodPut:
		return "outage " + kind
	case f.AccessKey != "":
		return "lost create " + kind
	}
	return kind
}

func describeKinds(byKind map[string]int) string {
	var parts []string
	for kind, n := range byKind {
		parts = append(parts, fmt.Sprintf("%s %d", kind, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
