package conformance

import (
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// An https:// endpoint in front of a plain-HTTP server cannot be checked: the run stops at once,
// saying what is wrong and which variable to correct.
func TestMain_AnEndpointSpeakingPlainHTTPCouldNotRun(t *testing.T) {
	sim, url, before := newSim(t)
	code, report := runMain(t.Context(), t, remoteEnv(strings.Replace(url, "http://", "https://", 1)))
	summary := lines(report, "SUMMARY ")
	if code != ExitCouldntRun || len(summary) != 1 || !strings.Contains(summary[0], "speaks plain HTTP") ||
		!strings.Contains(summary[0], credentials.EnvCOCEndpoint) {
		t.Errorf("exit %d, want %d with a summary saying the endpoint speaks plain HTTP and naming %s: %q",
			code, ExitCouldntRun, credentials.EnvCOCEndpoint, summary)
	}
	expectUntouched(t, sim, before)
}

// HW_MAX_RETRIES is read as the provider reads it: a value out of its range stops the run
// before anything is sent.
func TestMain_AnInvalidMaxRetriesCouldNotRun(t *testing.T) {
	sim, url, before := newSim(t)
	e := remoteEnv(url)
	e[credentials.EnvMaxRetries] = "21"
	code, report := runMain(t.Context(), t, e)
	if summary := lines(report, "SUMMARY "); code != ExitCouldntRun || len(summary) != 1 || !strings.Contains(summary[0], `HW_MAX_RETRIES is "21"`) {
		t.Errorf("exit %d, want %d with a summary naming HW_MAX_RETRIES: %q", code, ExitCouldntRun, summary)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("%d requests reached the simulator", n)
	}
	expectUntouched(t, sim, before)
}
