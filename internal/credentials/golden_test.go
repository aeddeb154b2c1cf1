package credentials_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// The golden request bodies are also what the simulator's tests hold its IAM to: the chain sends
// exactly those bytes.
func golden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(data)
}

func TestRequestsEncodeToGolden(t *testing.T) {
	base := credentials.Static{Credentials: coc.Credentials{AccessKey: "AKGOLDEN", SecretKey: "SK-golden-0123456789"}, Source: "a test key"}
	cases := []struct {
		name  string
		files []string
		p     func(*credentials.IAM) credentials.Provider
	}{
		{"assume_role by domain name", []string{"iam_request_assume_role_domain_name.json"}, func(iam *credentials.IAM) credentials.Provider {
			return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "golden-target", DurationSeconds: 3600}}
		}},
		{"assume_role by domain ID", []string{"iam_request_assume_role_domain_id.json"}, func(iam *credentials.IAM) credentials.Provider {
			return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "golden-target-domain"}}
		}},
		{"OIDC", []string{"iam_request_id_token.json", "iam_request_token.json"}, func(iam *credentials.IAM) credentials.Provider {
			return &credentials.OIDC{IAM: iam, IdpID: "golden-idp", IDToken: "golden.id.token"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIAM(t)
			f.on(credentials.IDTokenPath, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set(credentials.HeaderSubjectToken, "golden-subject-token")
				w.WriteHeader(201)
			})
			if _, err := tc.p(f.iam(t, fastOptions())).Retrieve(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := f.received()
			if len(got) != len(tc.files) {
				t.Fatalf("%d requests, want %d", len(got), len(tc.files))
			}
			for i, file := range tc.files {
				if want := golden(t, file); !bytes.Equal(got[i].body, want) {
					t.Errorf("%s:\n got %s\nwant %s", file, got[i].body, want)
				}
			}
		})
	}
}
