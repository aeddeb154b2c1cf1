package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// fleet is a simulator on loopback with n tenants, and the configuration that binds all three
// apps in each of them, one aliased provider block per tenant (so one provider process each).
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

// config binds every app in every tenant; serviceID lets a second config update them all.
func (f *fleet) config(serviceID string) string {
	var b strings.Builder
	b.WriteString(requiredCoc)
	for i, t := range f.tenants {
		alias := fmt.Sprintf("t%03d", i)
		fmt.Fprintf(&b, "provider \"coc\" {\n  alias      = %q\n  endpoint   = %q\n  access_key = %q\n  secret_key = %q\n  domain_id  = %q\n}\n",
			alias, f.server.URL, t.AccessKey, t.SecretKey, t.DomainID)
		b.WriteString(bindings("coc."+alias, alias, i, serviceID))
	}
	return b.String()
}

// bindings renders the three resources of one tenant.
func bindings(provider, name string, i int, serviceID string) string {
	return fmt.Sprintf(`resource "coc_wecom_app" %[2]q {
  provider         = %[1]s
  enterprise_id    = "ww%016[3]x"
  service_id       = "1%[4]s"
  enterprise_key   = "bench-enterprise-key-%[3]d"
  address_book_key = "bench-address-book-key-%[3]d"
}
resource "coc_dingtalk_app" %[2]q {
  provider          = %[1]s
  client_id         = "ding%016[3]d"
  client_secret     = "%064[3]d"
  group_template_id = "tpl-%[3]d"
  robot_id          = "robot-%[3]d"
  service_id        = "2%[4]s"
}
resource "coc_lark_app" %[2]q {
  provider   = %[1]s
  app_id     = "cli_%016[3]d"
  app_secret = "bench-app-secret-%[3]d"
  service_id = "svc-%[4]s"
}
`, provider, name, i, serviceID)
}
