package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// testBackoff keeps retries in acceptance tests fast; the policy itself is unit-tested in
// internal/coc.
var testBackoff = hwhttp.Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond}

func testProvider() provider.Provider {
	return &cocProvider{version: "test", backoff: testBackoff}
}

// protoV6ProviderFactories serves the provider in-process to the real terraform binary.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"coc": providerserver.NewProtocol6WithError(testProvider()),
}

// simEnv is one simulator on a loopback httptest server, with its tenants.
type simEnv struct {
	sim     *simulator.Simulator
	url     string
	tenants []simulator.Tenant
	// meanwhile, when set, runs before the simulator sees each request: what somebody else does
	// at that moment.
	meanwhile atomic.Pointer[func(*http.Request)]
}

// newSimEnv starts a simulator with n tenants (at least one), configured by opts too.
func newSimEnv(t *testing.T, n int, opts ...simulator.Option) *simEnv {
	t.Helper()
	env := &simEnv{}
	for i := range max(n, 1) {
		env.tenants = append(env.tenants, simulator.Tenant{
			AccessKey: fmt.Sprintf("AKTEST%02d", i),
			SecretKey: fmt.Sprintf("SK-provider-test-%02d-0123456789", i),
			DomainID:  fmt.Sprintf("domain-%02d", i),
		})
	}
	env.sim = simulator.New(env.tenants, append([]simulator.Option{simulator.WithSeed(1)}, opts...)...)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if meanwhile := env.meanwhile.Load(); meanwhile != nil {
			(*meanwhile)(r)
		}
		env.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	env.url = server.URL
	return env
}

// providerBlock configures the provider for tenant i, aliased when alias is set; extra lines
// (such as "max_retries = 2") go into the block as they are.
func (e *simEnv) providerBlock(i int, alias string, extra ...string) string {
	t := e.tenants[i]
	var b strings.Builder
	b.WriteString("provider \"coc\" {\n")
	if alias != "" {
		fmt.Fprintf(&b, "  alias = %q\n", alias)
	}
	fmt.Fprintf(&b, "  endpoint   = %q\n  access_key = %q\n  secret_key = %q\n  domain_id  = %q\n", e.url, t.AccessKey, t.SecretKey, t.DomainID)
	if t.SecurityToken != "" {
		fmt.Fprintf(&b, "  security_token = %q\n", t.SecurityToken)
	}
	for _, line := range extra {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// bindings returns tenant i's bindings by app type.
func (e *simEnv) bindings(t *testing.T, i int) map[platforms.AppType]simulator.BindingState {
	t.Helper()
	states, err := e.sim.Bindings(e.tenants[i].AccessKey)
	if err != nil {
		t.Fatal(err)
	}
	out := map[platforms.AppType]simulator.BindingState{}
	for _, s := range states {
		out[s.AppType] = s
	}
	return out
}

// bindOnConsole makes or changes tenant 0's binding outside Terraform, as a person on the
// console would: the given identifier, each field's first value unless fields overrides it, and
// every secret tagged secretTag (none when it is empty, which keeps the stored secrets).
func (e *simEnv) bindOnConsole(t *testing.T, pc platformCase, id string, fields map[string]string, secretTag string) {
	t.Helper()
	body := map[string]string{pc.platform.Identifier.Name: id}
	for f, v := range pc.fields {
		body[f] = v[0]
	}
	for f, v := range fields {
		body[f] = v
	}
	if secretTag != "" {
		for _, s := range pc.platform.SecretNames() {
			body[s] = pc.secret(s, secretTag)
		}
	}
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.ConsoleBind(e.tenants[0].AccessKey, pc.appType, data); err != nil {
		t.Fatal(err)
	}
}

// writes lists the contract calls that could change state, as "METHOD path status".
func (e *simEnv) writes() []string {
	var out []string
	for _, r := range e.sim.Requests() {
		if r.IsWrite() {
			out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
		}
	}
	return out
}

// calls lists every call of the log, reads included, as "METHOD path status".
func (e *simEnv) calls() []string {
	var out []string
	for _, r := range e.sim.Requests() {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	return out
}

// platformCase is one platform's resource with valid values, two of each so that tests can
// change them: the examples of the platform's description.
type platformCase struct {
	typeName string
	appType  platforms.AppType
	platform platforms.Platform
	ids      [2]string
	fields   map[string][2]string
}

// platformCases are every platform's case, in the descriptions' order.
var platformCases = func() []platformCase {
	var out []platformCase
	for _, p := range platforms.All() {
		pc := platformCase{typeName: newAppResource(p).typeName(), appType: p.AppType, platform: p, ids: p.Identifier.Examples,
			fields: map[string][2]string{}}
		for _, f := range p.Fields {
			pc.fields[f.Name] = f.Examples
		}
		out = append(out, pc)
	}
	return out
}()

// secret returns a valid, recognisable value for a secret.
func (pc platformCase) secret(name, tag string) string {
	f, _ := pc.platform.Field(name)
	return f.ExampleSecret("s3cr3t-" + name + "-" + tag)
}

// secretValues maps each secret of pc to its value tagged tag.
func (pc platformCase) secretValues(tag string) map[string]string {
	out := map[string]string{}
	for _, s := range pc.platform.SecretNames() {
		out[s] = pc.secret(s, tag)
	}
	return out
}

// resourceBlock renders a resource. attrs maps attribute names to HCL expressions; the
// identifier and fields default to the case's first values, and every secret to its plaintext
// attribute with tag "1", unless attrs names the secret or its write-only form.
func (pc platformCase) resourceBlock(name string, attrs map[string]string) string {
	all := map[string]string{pc.platform.Identifier.Name: strconv.Quote(pc.ids[0])}
	for f, v := range pc.fields {
		all[f] = strconv.Quote(v[0])
	}
	for _, s := range pc.platform.SecretNames() {
		if _, wo := attrs[s+writeOnlySuffix]; !wo {
			all[s] = strconv.Quote(pc.secret(s, "1"))
		}
	}
	for k, v := range attrs {
		if v == "" {
			delete(all, k)
			continue
		}
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "resource %q %q {\n", pc.typeName, name)
	for _, k := range keys {
		if strings.HasPrefix(all[k], "{") || strings.HasPrefix(k, "lifecycle") || strings.HasPrefix(k, "timeouts") {
			fmt.Fprintf(&b, "  %s %s\n", k, all[k])
			continue
		}
		fmt.Fprintf(&b, "  %s = %s\n", k, all[k])
	}
	b.WriteString("}\n")
	return b.String()
}

func (pc platformCase) address(name string) string { return pc.typeName + "." + name }

func bindingPath(pc platformCase) string { return coc.MobileAppsPath + "/" + string(pc.appType) }

// The provider serves a resource per platform, in the descriptions' order.
func TestProviderServesAResourcePerPlatform(t *testing.T) {
	var served []string
	for _, newResource := range testProvider().Resources(t.Context()) {
		var resp fwresource.MetadataResponse
		newResource().Metadata(t.Context(), fwresource.MetadataRequest{ProviderTypeName: "coc"}, &resp)
		served = append(served, resp.TypeName)
	}
	var want []string
	for _, p := range platforms.AppTypes() {
		want = append(want, "coc_"+p+"_app")
	}
	if !slices.Equal(served, want) {
		t.Fatalf("the provider serves %v, want a resource per platform: %v", served, want)
	}
}
