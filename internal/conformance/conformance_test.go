package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// On a fresh clone, with no HW_* variable set, the kit checks a simulator of its own, writes
// included, and the simulator conforms.
func TestMain_WithoutAnEndpointTheEmbeddedSimulatorConforms(t *testing.T) {
	code, report := runMain(t.Context(), t, env{})
	if code != ExitConforms {
		t.Errorf("exit %d, want %d", code, ExitConforms)
	}
	expectEveryLineConforms(t, report)
	// Without a secret, the create, the same create again, with other secrets, and without its key.
	if got := len(lines(report, "PASS POST ")); got != 5*len(platforms.All()) {
		t.Errorf("%d POST checks passed, want 5 per platform: the writes did not run", got)
	}
	for _, p := range platforms.All() {
		for _, call := range []string{
			"PASS POST " + coc.MobileAppsPath + "/" + string(p.AppType) + " (again, the same Idempotency-Key) ",
			"PASS POST " + coc.MobileAppsPath + "/" + string(p.AppType) + " (the same Idempotency-Key, other secrets) ",
			"PASS DELETE " + coc.MobileAppsPath + "/" + string(p.AppType) + "?" + p.Identifier.Name + "=",
		} {
			if len(lines(report, call)) == 0 {
				t.Errorf("the report has no line %q...", call)
			}
		}
	}
	if !strings.Contains(report, "(the embedded simulator") {
		t.Errorf("the summary does not say the embedded simulator was checked")
	}
}

// A binding made on the embedded simulator's console before the run is read, skipped for
// writes and left as it was; what the run bound is unbound.
func TestRun_EmbeddedSimulatorLeavesAConsoleBindingAlone(t *testing.T) {
	secrets := new(hwhttp.Secrets)
	tg, sim, stop, err := embedded(secrets)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	before := preBind(t, sim)
	if tg.apps, err = apps(env{}.get, "test", secrets); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := run(t.Context(), tg, &out)
	t.Logf("report:\n%s", out.String())
	if code != ExitConforms {
		t.Errorf("exit %d, want %d", code, ExitConforms)
	}
	expectEveryLineConforms(t, out.String())
	if skipped := lines(out.String(), "SKIP POST, GET, PUT, DELETE /v1/mobile-apps/lark"); len(skipped) != 1 || !strings.Contains(skipped[0], "not by this run") {
		t.Errorf("lark's writes were not skipped as bound by someone else: %q", skipped)
	}
	expectUntouched(t, sim, before)
}

// Reading only (no CONFORMANCE_WRITE), the kit sends nothing but GETs and says how to write.
func TestMain_WithoutConformanceWriteOnlyReads(t *testing.T) {
	sim, url, before := newSim(t)
	e := remoteEnv(url)
	delete(e, EnvWrite)
	code, report := runMain(t.Context(), t, e)
	if code != ExitConforms {
		t.Errorf("exit %d, want %d", code, ExitConforms)
	}
	expectEveryLineConforms(t, report)
	for _, r := range sim.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("sent %s %s without CONFORMANCE_WRITE", r.Method, r.Path)
		}
	}
	if got := lines(report, "SKIP POST"); len(got) != len(platforms.All()) || !strings.Contains(got[0], EnvWrite+"=1") {
		t.Errorf("the write checks are not one SKIP per platform naming %s: %q", EnvWrite, got)
	}
	expectUntouched(t, sim, before)
}

// A gateway that publishes nothing (every region today) answers every call 404 APIG.0101: the
// report says the API is not offered and quotes the code, and nothing is written.
func TestMain_AGatewayThatPublishesNothingIsReportedAsSuch(t *testing.T) {
	var n atomic.Int64
	gateway, url := newStub(t, func(w http.ResponseWriter, _ *http.Request) {
		id := "apig-" + strconv.FormatInt(n.Add(1), 10)
		w.Header().Set(hwhttp.HeaderRequestID, id)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(coc.ErrorBody{ErrorCode: hwhttp.CodeNotPublished, ErrorMsg: simulator.MessageNotPublished, RequestID: id})
	})
	code, report := runMain(t.Context(), t, remoteEnv(url))
	if code != ExitDiffers {
		t.Errorf("exit %d, want %d", code, ExitDiffers)
	}
	summary := lines(report, "SUMMARY ")
	if len(summary) != 1 || !strings.Contains(summary[0], "does not offer the COC mobile-app API") || !strings.Contains(summary[0], hwhttp.CodeNotPublished) {
		t.Errorf("the summary does not say that the API is not offered, quoting %s: %q", hwhttp.CodeNotPublished, summary)
	}
	diffs := lines(report, "DIFF GET /v1/mobile-apps/lark ")
	if len(diffs) != 1 || !strings.Contains(diffs[0], `404 APIG.0101 "`+simulator.MessageNotPublished+`"`) {
		t.Errorf("GET lark's line does not quote the gateway's answer: %q", diffs)
	}
	if len(lines(report, "SKIP POST")) != len(platforms.All()) {
		t.Errorf("the writes are not skipped on every platform, with nothing proving it unbound")
	}
	for method := range gateway.methods() {
		if method != http.MethodGet && method != http.MethodPatch {
			t.Errorf("sent a %s to a gateway that never said COC's not bound", method)
		}
	}
}

// A proxy that renames a field in the answers makes the endpoint differ, and the report names
// the field; the bindings the run made are still unbound.
func TestMain_AProxyThatRenamesAFieldIsReportedByName(t *testing.T) {
	sim, simURL, before := newSim(t)
	target, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		body = bytes.ReplaceAll(body, []byte(`"service_id"`), []byte(`"serviceId"`))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return err
	}
	server := httptest.NewServer(proxy)
	t.Cleanup(server.Close)

	code, report := runMain(t.Context(), t, remoteEnv(server.URL))
	if code != ExitDiffers {
		t.Errorf("exit %d, want %d", code, ExitDiffers)
	}
	named := `data.service_id is missing (the answer has "serviceId" instead)`
	for _, call := range []string{"DIFF POST /v1/mobile-apps/wecom ", "DIFF GET /v1/mobile-apps/lark "} {
		if got := lines(report, call); len(got) == 0 || !strings.Contains(got[0], named) {
			t.Errorf("%s... does not name the field: %q", call, got)
		}
	}
	expectUntouched(t, sim, before)
}

// An endpoint that knows neither the DELETE's precondition nor the create's idempotency key, as
// a COC before them would be, is reported call by call, and the run still unbinds only what it
// made: the cleanup's DELETE names the app too.
func TestMain_AnEndpointWithoutPreconditionsOrKeysDiffers(t *testing.T) {
	sim, simURL, before := newSim(t)
	target, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := platforms.For(platforms.AppType(path.Base(r.URL.Path)))
		switch {
		case err != nil:
		case r.Method == http.MethodDelete && r.URL.RawQuery != "":
			// It unbinds whatever is bound, whatever the DELETE names.
			if sim.ConsoleUnbind(testTenant.AccessKey, p.AppType) == nil {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		case r.Method == http.MethodPost && r.Header.Get(coc.HeaderIdempotencyKey) != "" && bound(t, sim, p.AppType):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusConflict)
			_, _ = io.WriteString(w, `{"error_code":"COC.00040901","error_msg":"already bound"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

	code, report := runMain(t.Context(), t, remoteEnv(server.URL))
	if code != ExitDiffers {
		t.Errorf("exit %d, want %d", code, ExitDiffers)
	}
	for _, call := range []string{"DIFF POST /v1/mobile-apps/wecom (again, the same Idempotency-Key) ", "DIFF DELETE /v1/mobile-apps/wecom?enterprise_id="} {
		if len(lines(report, call)) == 0 {
			t.Errorf("the report has no line %q...", call)
		}
	}
	expectUntouched(t, sim, before)
}

// bound reports whether sim's test tenant has a binding of t.
func bound(t *testing.T, sim *simulator.Simulator, appType platforms.AppType) bool {
	t.Helper()
	return slices.ContainsFunc(bindings(t, sim), func(b simulator.BindingState) bool { return b.AppType == appType })
}

// A temporary key that expires during the run (the gateway's 401 APIG.0301 "the security token
// has expired") is renewed from its source, and the call sent once more: the one 401 that does
// not stop the run.
func TestMain_AnExpiredSecurityTokenIsRenewedOnce(t *testing.T) {
	var offset atomic.Int64
	offset.Store(int64(-8 * time.Minute)) // the key lives 15 minutes: it expires when the clock jumps to +8
	sim := simulator.New(nil, simulator.WithClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	sim.SetMetadataAccount("domain-of-the-instance")
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			offset.Store(int64(8 * time.Minute))
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

	code, _ := runMain(t.Context(), t, env{credentials.EnvCOCEndpoint: server.URL, credentials.EnvMetadataEndpoint: server.URL, EnvWrite: "1"})
	if code != ExitConforms {
		t.Errorf("exit %d, want %d", code, ExitConforms)
	}
	var refused int
	for _, r := range sim.Requests() {
		if r.Status == http.StatusUnauthorized {
			refused++
		}
	}
	if issued := len(sim.IssuedCredentials()); refused != 1 || issued != 2 {
		t.Errorf("%d requests refused and %d keys issued, want one refusal as expired and one renewal", refused, issued)
	}
}

// A refused signature (a wrong secret key) stops the run at once: one signed request reached
// the endpoint, and the report says why it could not run.
func TestMain_ARefusedSignatureSendsNothingMore(t *testing.T) {
	sim, url, before := newSim(t)
	e := remoteEnv(url)
	e[credentials.EnvSecretKey] = "wrong-secret-key-of-the-test"
	code, report := runMain(t.Context(), t, e)
	if code != ExitCouldntRun {
		t.Errorf("exit %d, want %d", code, ExitCouldntRun)
	}
	if got := len(sim.Requests()); got != 1 {
		t.Errorf("%d signed requests reached the simulator, want 1", got)
	}
	if summary := lines(report, "SUMMARY "); len(summary) != 1 || !strings.Contains(summary[0], "401 APIG.0301") {
		t.Errorf("the summary does not say that the signature was refused: %q", summary)
	}
	if strings.Contains(report, e[credentials.EnvSecretKey]) {
		t.Errorf("the report shows the secret key")
	}
	expectUntouched(t, sim, before)
}

// A signature refused in the middle of the run (the key revoked, say) stops every request,
// the cleanup's included, and the report names what the run could not unbind.
func TestMain_ARefusalAfterBindingReportsWhatStaysBound(t *testing.T) {
	sim, url, before := newSim(t)
	if err := sim.InjectFault(simulator.Fault{Method: http.MethodPut, Status: http.StatusUnauthorized, Code: hwhttp.CodeBadSignature,
		Message: "verify aksk signature fail"}); err != nil {
		t.Fatal(err)
	}
	code, report := runMain(t.Context(), t, remoteEnv(url))
	if code != ExitCouldntRun {
		t.Errorf("exit %d, want %d", code, ExitCouldntRun)
	}
	requests := sim.Requests()
	if last := requests[len(requests)-1]; last.Method != http.MethodPut || last.Status != http.StatusUnauthorized {
		t.Errorf("the last request was %s %s (%d), not the refused PUT", last.Method, last.Path, last.Status)
	}
	for _, p := range boundByTheRun(before) {
		if got := lines(report, "NOTE could not unbind the "+string(p)+" app "); len(got) != 1 {
			t.Errorf("the report does not name the %s binding it left: %q", p, got)
		}
	}
}

// Credentials the endpoint refuses for a call (403: a read-only user, another account) end the
// run: nothing that follows would say anything about the endpoint.
func TestMain_ForbiddenCredentialsCouldNotRun(t *testing.T) {
	sim, url, before := newSim(t)
	if err := sim.InjectFault(simulator.Fault{Method: http.MethodPost, Status: http.StatusForbidden, Code: simulator.CodeDomainMismatch}); err != nil {
		t.Fatal(err)
	}
	code, report := runMain(t.Context(), t, remoteEnv(url))
	if summary := lines(report, "SUMMARY "); code != ExitCouldntRun || len(summary) != 1 || !strings.Contains(summary[0], "403 APIG.0303") {
		t.Errorf("exit %d, want %d with a summary quoting the 403: %q", code, ExitCouldntRun, summary)
	}
	expectUntouched(t, sim, before)
}

// Interrupted (SIGINT, SIGTERM: the run's context ends), the kit unbinds what it bound with a
// context of its own, and exits 2.
func TestRun_InterruptedUnbindsWhatItBound(t *testing.T) {
	sim, _, before := newSim(t)
	ctx, interrupt := context.WithCancel(t.Context())
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			interrupt() // every platform the run could bind is bound by now
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

	code, report := runMain(ctx, t, remoteEnv(server.URL))
	if code != ExitCouldntRun {
		t.Errorf("exit %d, want %d", code, ExitCouldntRun)
	}
	if summary := lines(report, "SUMMARY "); len(summary) != 1 || !strings.Contains(summary[0], "interrupted") {
		t.Errorf("the summary does not say it was interrupted: %q", summary)
	}
	for _, p := range boundByTheRun(before) {
		if got := lines(report, "NOTE unbound the "+string(p)+" app "); len(got) != 1 {
			t.Errorf("the cleanup did not report unbinding the %s app it bound: %q", p, got)
		}
	}
	if got, want := len(lines(report, "NOTE unbound the ")), len(boundByTheRun(before)); got != want {
		t.Errorf("the cleanup reported unbinding %d apps, the run bound %d", got, want)
	}
	expectUntouched(t, sim, before)
}

// CONFORMANCE_APPS names the apps to bind, in the simulator's tenants-file format; a platform
// it does not declare is skipped, and the file's secrets never reach the report.
func TestMain_ConformanceAppsBindsTheDeclaredApps(t *testing.T) {
	write := func(t *testing.T, apps string) string {
		file := filepath.Join(t.TempDir(), "tenants.json")
		if err := os.WriteFile(file, []byte(`{"tenants": [], "platform_apps": `+apps+`}`), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	t.Run("declared", func(t *testing.T) {
		sim, url, before := newSim(t)
		e := remoteEnv(url)
		e[EnvApps] = write(t, `[{"app_type": "wecom", "app_id": "ww-from-the-file", "secrets": ["file-secret-one", "file-secret-two"]}]`)
		code, report := runMain(t.Context(), t, e)
		if code != ExitConforms {
			t.Errorf("exit %d, want %d", code, ExitConforms)
		}
		if got := lines(report, "PASS POST /v1/mobile-apps/wecom | "); len(got) != 1 || !strings.Contains(got[0], `enterprise_id "ww-from-the-file"`) {
			t.Errorf("wecom was not bound with the file's app: %q", got)
		}
		if got := lines(report, "SKIP POST, GET, PUT, DELETE /v1/mobile-apps/dingtalk"); len(got) != 1 || !strings.Contains(got[0], "declares no dingtalk app") {
			t.Errorf("dingtalk, which the file does not declare, was not skipped: %q", got)
		}
		if strings.Contains(report, "file-secret-one") || strings.Contains(report, "file-secret-two") {
			t.Errorf("the report shows a secret of the file")
		}
		expectUntouched(t, sim, before)
	})
	t.Run("too few secrets", func(t *testing.T) {
		_, url, _ := newSim(t)
		e := remoteEnv(url)
		e[EnvApps] = write(t, `[{"app_type": "wecom", "app_id": "ww-from-the-file", "secrets": ["file-secret-one"]}]`)
		code, report := runMain(t.Context(), t, e)
		if code != ExitCouldntRun || !strings.Contains(report, "needs an app_id and 2 secret(s), for enterprise_key, address_book_key") {
			t.Errorf("exit %d, and the report does not say what the file lacks", code)
		}
	})
}

// Without credentials, or with an endpoint that cannot be reached, the kit could not run.
func TestMain_WithoutCredentialsOrAnEndpointItCouldNotRun(t *testing.T) {
	unreachable := httptest.NewServer(http.NotFoundHandler())
	unreachable.Close()
	for name, e := range map[string]env{
		"half a key pair": {credentials.EnvCOCEndpoint: "http://127.0.0.1:1", credentials.EnvAccessKey: "AK"},
		"unknown region":  {credentials.EnvRegion: "xx-nowhere-1", credentials.EnvAccessKey: "AK", credentials.EnvSecretKey: "SK-test-value"},
		"unreachable":     {credentials.EnvCOCEndpoint: unreachable.URL, credentials.EnvAccessKey: "AK", credentials.EnvSecretKey: "SK-test-value"},
		"no credentials":  {credentials.EnvCOCEndpoint: "http://127.0.0.1:1", credentials.EnvMetadataEndpoint: unreachable.URL},
	} {
		t.Run(name, func(t *testing.T) {
			code, report := runMain(t.Context(), t, e)
			if code != ExitCouldntRun || len(lines(report, "SUMMARY could not run")) != 1 {
				t.Errorf("exit %d, want %d with a summary saying it could not run", code, ExitCouldntRun)
			}
			if strings.Contains(report, "SK-test-value") {
				t.Errorf("the report shows the secret key")
			}
		})
	}
}

func Example_report() {
	r := newReport(os.Stdout, new(hwhttp.Secrets))
	r.check(pass, "GET /v1/mobile-apps/lark", "200, a lark binding, or 404 COC.00040401", `404 COC.00040401 "not bound"`, "req-1")
	fmt.Println(r.summary("https://coc.example", nil))
	// Output:
	// PASS GET /v1/mobile-apps/lark | contract: 200, a lark binding, or 404 COC.00040401 | endpoint: 404 COC.00040401 "not bound" | request id: req-1
	// SUMMARY 1 PASS, 0 DIFF, 0 SKIP: https://coc.example conforms to internal/coc/CONTRACT.md
	// 0
}
