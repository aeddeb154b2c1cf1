package simulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Whatever the simulator does not serve meets the gateway, which answers in its own shape and
// before it checks a signature: the backend never saw the call.
func TestGatewayAnswersWhatItDoesNotPublish(t *testing.T) {
	_, server := start(t)
	for _, tc := range []struct{ method, path, msg string }{
		{"GET", "/v1/mobile-app/lark", simulator.MessageNotPublished},
		{"GET", "/", simulator.MessageNotPublished},
		{"PATCH", coc.MobileAppsPath + "/lark", simulator.MessageNoSuchMethod},
		{"POST", coc.MobileAppsPath, simulator.MessageNoSuchMethod},
	} {
		req, err := http.NewRequest(tc.method, server.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		id := resp.Header.Get(hwhttp.HeaderRequestID)
		want := `{"error_code":"APIG.0101","error_msg":"` + tc.msg + `","request_id":"` + id + `"}` + "\n"
		if resp.StatusCode != 404 || id == "" || string(body) != want {
			t.Errorf("%s %s: %d %q (request id %q), want 404 %q", tc.method, tc.path, resp.StatusCode, body, id, want)
		}
	}
}

// A fault can answer anything a gateway, a proxy or a misrouted call might: a code of the
// fault's choosing in the gateway's shape, or any body with any status, 2xx included. Either way
// the call never reaches the simulated COC.
func TestFaultsAnswerAnything(t *testing.T) {
	sim, server := start(t)
	if err := sim.ConsoleBind(tenant.AccessKey, platforms.Lark, []byte(`{"app_id":"cli_0123456789abcdef","app_secret":"console","service_id":"1"}`)); err != nil {
		t.Fatal(err)
	}
	c := client(t, server, hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey})
	cases := []struct {
		fault       simulator.Fault
		status      int
		contentType string
		body        string
	}{
		{simulator.Fault{Method: "DELETE", Status: 404, Code: hwhttp.CodeNotPublished, Message: simulator.MessageNotPublished}, 404, "application/json",
			`{"error_code":"APIG.0101","error_msg":"` + simulator.MessageNotPublished + `","request_id":"sim-1"}` + "\n"},
		{simulator.Fault{Method: "DELETE", Status: 409, Code: "PROXY.409"}, 409, "application/json",
			`{"error_code":"PROXY.409","error_msg":"injected fault: Conflict"}` + "\n"},
		{simulator.Fault{Method: "DELETE", Status: 200, ContentType: "text/html", Body: "<html>login</html>"}, 200, "text/html", "<html>login</html>"},
		{simulator.Fault{Method: "DELETE", Status: 200, Code: coc.CodeInternal}, 200, "application/json",
			`{"error_code":"COC.00050001","error_msg":"injected fault: OK"}` + "\n"},
	}
	for _, tc := range cases {
		sim.ClearFaults()
		sim.ClearRequests()
		if err := sim.InjectFault(tc.fault); err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest("DELETE", server.URL+coc.MobileAppsPath+"/lark", nil)
		if err != nil {
			t.Fatal(err)
		}
		hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}}.Sign(req, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		got := strings.ReplaceAll(string(body), resp.Header.Get(hwhttp.HeaderRequestID), "sim-1")
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.contentType || got != tc.body {
			t.Errorf("%+v: got %d %s %q, want %d %s %q", tc.fault, resp.StatusCode, resp.Header.Get("Content-Type"), got, tc.status, tc.contentType, tc.body)
		}
		if log := sim.Requests(); len(log) != 1 || log[0].Status != tc.status || log[0].Fault == "" {
			t.Errorf("%+v: request log %+v, want the one answered call", tc.fault, log)
		}
		if _, err := c.GetBinding(t.Context(), platforms.Lark); err != nil {
			t.Errorf("%+v: the binding is gone (%v): the call reached COC", tc.fault, err)
		}
	}
	for _, bad := range []simulator.Fault{
		{Code: hwhttp.CodeNotPublished},
		{Status: 200},
		{Status: 600},
		{Status: 404, Body: "x", Code: "X"},
		{Status: 404, Body: "x", Echo: true},
	} {
		if err := sim.InjectFault(bad); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
