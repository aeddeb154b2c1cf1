package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// fleet is a simulator on loopback with n tenants, and the configuration that binds an app of
// every platform in each of them, one aliased provider block per tenant (so one provider process
// each).
type fleet struct {
	sim     *simulator.Simulator
	server  *httptest.Server
	tenants []simulator.Tenant
	// secondsOnly hides Retry-After-Ms, as a gateway that only sends Retry-After would.
	secondsOnly atomic.Bool
}

func newFleet(n int) *fleet {
	f := &fleet{}
	for i := range n {
		f.tenants = append(f.tenants, simulator.Tenant{
			AccessKey: fmt.Sprintf("AKBENCH%03d", i),
			SecretKey: fmt.Sprintf("SK-bench-%03d-0123456789", i),
			DomainID:  fmt.Sprintf("domain-%03d", i),
		})
	}
	f.sim = simulator.New(f.tenants, simulator.WithSeed(1))
	f.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.secondsOnly.Load() {
			w = withoutRetryAfterMs{w}
		}
		f.sim.ServeHTTP(w, r)
	}))
	return f
}

type withoutRetryAfterMs struct{ http.ResponseWriter }

func (w withoutRetryAfterMs) WriteHeader(status int) {
	w.Header().Del(hwhttp.HeaderRetryAfterMs)
	w.ResponseWriter.WriteHeader(status)
}

func (f *fleet) close() { f.server.Close() }

const requiredCoc = "terraform {\n  required_providers {\n    coc = { source = \"cocops/coc\" }\n  }\n}\n"

// config binds every app in every tenant; fields, 0 or 1, picks the plain fields' example, so
// that a second config updates them all.
func (f *fleet) config(fields int) string {
	var b strings.Builder
	b.WriteString(requiredCoc)
	for i, t := range f.tenants {
		alias := fmt.Sprintf("t%03d", i)
		fmt.Fprintf(&b, "provider \"coc\" {\n  alias      = %q\n  endpoint   = %q\n  access_key = %q\n  secret_key = %q\n  domain_id  = %q\n}\n",
			alias, f.server.URL, t.AccessKey, t.SecretKey, t.DomainID)
		for _, p := range platforms.All() {
			b.WriteString(binding(p, "coc."+alias, alias, i, fields))
		}
	}
	return b.String()
}

// binding renders tenant i's resource of platform p, from the platform's description: its i-th
// identifier, its plain fields' examples and made-up plaintext secrets.
func binding(p platforms.Platform, provider, name string, i, fields int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"coc_%s_app\" %q {\n  provider = %s\n  %s = %q\n", p.AppType, name, provider, p.Identifier.Name, p.Identifier.Numbered(i))
	for _, f := range p.Fields {
		fmt.Fprintf(&b, "  %s = %q\n", f.Name, f.Examples[fields])
	}
	for _, s := range p.Secrets {
		fmt.Fprintf(&b, "  %s = %q\n", s.Name, s.ExampleSecret(fmt.Sprintf("bench-%s-%d", s.Name, i)))
	}
	b.WriteString("}\n")
	return b.String()
}
