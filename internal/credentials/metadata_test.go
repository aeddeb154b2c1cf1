package credentials_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

func metadata(t *testing.T, endpoint string, o credentials.Options) *credentials.Metadata {
	t.Helper()
	m, err := credentials.NewMetadata(endpoint, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetadataServesTheNodesAgencyCredentials(t *testing.T) {
	f := newFakeIAM(t)
	v, err := metadata(t, f.url, fastOptions()).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.AccessKey != "AKTEMP1" || v.SecurityToken != "TOKEN-temporary-1" || v.Expires.Before(time.Now()) {
		t.Fatalf("credentials %+v, want the served ones", v)
	}
	if r := f.received(); len(r) != 1 || r[0].method != http.MethodGet || r[0].path != credentials.MetadataSecurityKeyPath {
		t.Fatalf("requests %+v", r)
	}
}

// Where nothing listens, the answer comes after one attempt: a laptop has no metadata service.
func TestMetadataDoesNotRetryAConnectionThatFailed(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	logger := &testkit.Logger{}
	o := fastOptions()
	o.Logger = logger
	_, err := metadata(t, closed.URL, o).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the ECS metadata service at "+closed.URL) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("want an error naming the service and the refusal, got %v", err)
	}
	if n := logger.Count("Sending metadata service request"); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}

// Server faults are retried; other answers are final.
func TestMetadataRetriesServerFaultsOnly(t *testing.T) {
	faulty := newFakeIAM(t)
	faults := 0
	faulty.on(credentials.MetadataSecurityKeyPath, func(w http.ResponseWriter, r *http.Request) {
		if faults++; faults == 1 {
			answerJSON(500, `{}`)(w, r)
			return
		}
		faulty.issue(w, http.StatusOK)
	})
	if _, err := metadata(t, faulty.url, fastOptions()).Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(faulty.received()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}

	noAgency := newFakeIAM(t)
	noAgency.on(credentials.MetadataSecurityKeyPath, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) })
	_, err := metadata(t, noAgency.url, fastOptions()).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "GET /openstack/latest/securitykey: HTTP 404") || len(noAgency.received()) != 1 {
		t.Fatalf("want one request and its 404, got %v after %d", err, len(noAgency.received()))
	}
}

func TestMetadataRefusesIncompleteCredentials(t *testing.T) {
	f := newFakeIAM(t)
	f.on(credentials.MetadataSecurityKeyPath, answerJSON(200, `{"credential":{"access":"AK","secret":"SK","expires_at":"2030-01-01T00:00:00.000000Z"}}`))
	_, err := metadata(t, f.url, fastOptions()).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "lacks the credential's access, secret, securitytoken or expires_at") {
		t.Fatalf("want an incomplete answer refused, got %v", err)
	}
}

func TestMetadataDefaultsToTheLinkLocalAddress(t *testing.T) {
	if got := metadata(t, "", fastOptions()).String(); got != "the ECS metadata service at http://169.254.169.254" {
		t.Fatalf("String() = %q", got)
	}
}

// A metadata address that cannot work (here https:// in front of a plain-HTTP server) is named
// with what is wrong and the variable that sets it.
func TestMetadataEndpointSpeakingPlainHTTPIsNamed(t *testing.T) {
	f := newFakeIAM(t)
	_, err := metadata(t, strings.Replace(f.url, "http://", "https://", 1), fastOptions()).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "speaks plain HTTP") || !strings.Contains(err.Error(), "HW_METADATA_ENDPOINT") {
		t.Fatalf("want an error saying the address speaks plain HTTP and naming HW_METADATA_ENDPOINT, got %v", err)
	}
}
