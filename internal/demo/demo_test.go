package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// A COC that acknowledges the unbinding of the WeCom app but keeps it must fail the demo at its
// last step, naming it. Since the failure can only come from the last step, the run also shows
// that every earlier step behaves as narrated.
func TestDemo_FailsAtTheStepThatMisbehaves(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI (make test does)")
	}
	t.Setenv("HW_ACCESS_KEY", "") // the simulator, even where real credentials are set
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	var simulatorURL string
	keepsWeCom := func(u string) (string, error) {
		simulatorURL = u
		target, err := url.Parse(u)
		if err != nil {
			return "", err
		}
		proxy := httputil.NewSingleHostReverseProxy(target)
		server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete && r.URL.Path == coc.MobileAppsPath+"/"+string(platforms.WeCom) {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			proxy.ServeHTTP(w, r)
		}))
		t.Cleanup(server.Close)
		return server.URL, nil
	}

	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err := Run(ctx, Options{Out: &out, Interpose: keepsWeCom})

	last := len(steps())
	var failed *StepError
	if !errors.As(err, &failed) || failed.Name != "destroy" || failed.Number != last {
		t.Fatalf("expected the demo to fail at step %d (destroy), got %v\noutput:\n%s", last, err, out.String())
	}
	for _, want := range []string{fmt.Sprintf("step %d (destroy) did not behave as narrated", last), "COC still holds bindings for [wecom]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if !strings.Contains(out.String(), "OK: COC holds Lark app "+agencyLarkAppID+" in the agency's account") {
		t.Errorf("the agency step did not report the binding in the agency's account:\n%s", out.String())
	}
	// The demo binds and lists an app of every platform the build describes.
	_, listed, _ := strings.Cut(out.String(), "OK: coc_mobile_apps lists ")
	listed, _, _ = strings.Cut(listed, "\n")
	for _, p := range platforms.All() {
		if !strings.Contains(listed, string(p.AppType)+" ") {
			t.Errorf("the demo's coc_mobile_apps does not list the %s app: %q", p.Name, listed)
		}
	}
	if n := strings.Count(out.String(), "    OK: "); n < 15 {
		t.Errorf("the earlier steps reported %d passed checks, expected at least 15:\n%s", n, out.String())
	}

	// The demo cleans up after a failure too: no simulator, no temporary files.
	if resp, err := http.Get(simulatorURL + "/_sim/tenants"); err == nil {
		_ = resp.Body.Close()
		t.Errorf("the simulator at %s still answers after the demo", simulatorURL)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the demo left %d entries in its temporary directory, e.g. %s", len(left), left[0].Name())
	}
}
