package credentials_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// The golden request bodies in testdata/golden are also what the simulator's tests hold its IAM
// to: the chain sends exactly those bytes.

func TestRequestsEncodeToGolden(t *testing.T) {
	base := credentials.Static{Credentials: hwhttp.Credentials{AccessKey: "AKGOLDEN", SecretKey: "SK-golden-0123456789"}, Source: "a test key"}
	cases := []struct {
		name  string
		files []string
		p     func(*credentials.IAM) hwhttp.CredentialsProvider
	}{
		{"assume_role by domain name", []string{"iam_request_assume_role_domain_name.json"}, func(iam *credentials.IAM) hwhttp.CredentialsProvider {
			return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "golden-target", DurationSeconds: 3600}}
		}},
		{"assume_role by domain ID", []string{"iam_request_assume_role_domain_id.json"}, func(iam *credentials.IAM) hwhttp.CredentialsProvider {
			return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "golden-target-domain"}}
		}},
		{"OIDC", []string{"iam_request_id_token.json", "iam_request_token.json"}, func(iam *credentials.IAM) hwhttp.CredentialsProvider {
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
				if want := testkit.Golden(t, testkit.GoldenDir, file); !bytes.Equal(got[i].body, want) {
					t.Errorf("%s:\n got %s\nwant %s", file, got[i].body, want)
				}
			}
		})
	}
}

// answerGolden answers with a golden response file, as the simulator would: JSON, except for the
// metadata service's text errors.
func answerGolden(t *testing.T, status int, file string) http.HandlerFunc {
	t.Helper()
	body := testkit.Golden(t, testkit.GoldenDir, file)
	return func(w http.ResponseWriter, r *http.Request) {
		if filepath.Ext(file) == ".txt" {
			http.Error(w, string(body), status)
			return
		}
		if r.URL.Path == credentials.IDTokenPath && status == http.StatusCreated {
			w.Header().Set(credentials.HeaderSubjectToken, "golden-subject-token")
		}
		answerJSON(status, string(body))(w, r)
	}
}

// utc parses an expires_at as IAM writes it.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// issuedValue is the credentials an answer holds, expiring at expiresAt (IAM's form).
func issuedValue(t *testing.T, access, secret, securityToken, expiresAt string) hwhttp.Credentials {
	t.Helper()
	return hwhttp.Credentials{AccessKey: access, SecretKey: secret, SecurityToken: securityToken, Expires: utc(t, expiresAt)}
}

// The simulator's golden answers, which pin what it sends, decode into the credentials they hold,
// through the same calls the chain makes.
func TestResponsesDecodeFromGolden(t *testing.T) {
	base := credentials.Static{Credentials: hwhttp.Credentials{AccessKey: "AKGOLDEN", SecretKey: "SK-golden-0123456789"}, Source: "a test key"}
	cases := []struct {
		name    string
		answers map[string]string // path: golden file, answered 201 (200 for the metadata service)
		p       func(*credentials.IAM, string) hwhttp.CredentialsProvider
		want    hwhttp.Credentials
	}{
		{"assume_role by domain ID", map[string]string{credentials.SecurityTokensPath: "iam_response_assume_role_domain_id.json"},
			func(iam *credentials.IAM, _ string) hwhttp.CredentialsProvider {
				return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "golden-target-domain"}}
			},
			issuedValue(t, "L52T5DFRZK1ZSJWIE5LM", "FQNyjMBlfgwTs5UUF2nbE9WJ6NNaM9BnZYboo1ZN",
				"gEjpW-LQtXMhnyFFJtB071HQTPcPIea1LQfGRHyDkJGRq3pF9txPp8-lZW4xRxzaCpnIuJGX9npclYfdStO-J-SI34dJDt_o7GD3dkH7MVQszZ0wWakrUoe0Tqfo9uvt69RCVJfKM5qVG1-koySvKMdY5Y_naYJC", "2026-01-02T03:19:06Z")},
		{"assume_role by domain name", map[string]string{credentials.SecurityTokensPath: "iam_response_assume_role_domain_name.json"},
			func(iam *credentials.IAM, _ string) hwhttp.CredentialsProvider {
				return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "golden-target"}}
			},
			issuedValue(t, "MH59HDD4ISVLSVQYGJCK", "A1YE8fWhVHyjl8v3P9urZvHkwubLYOiEz0SxNN9P",
				"S7__z1sUY3p5U_obKjRNDX6web3iEcw-MZVp43wsJeHXKhMVkkp-UepxE9gnmtyq8CvybeQDPC_G7udBrrJliJ4Dfjnt_nzNJRl_M2DwjVe74EP_-akIMa-tYpLQscLctC9wQZ6dq9_TixbNUe-dsc9huBafKHiU", "2026-01-02T04:04:07Z")},
		{"OIDC", map[string]string{credentials.IDTokenPath: "iam_response_id_token.json", credentials.SecurityTokensPath: "iam_response_token.json"},
			func(iam *credentials.IAM, _ string) hwhttp.CredentialsProvider {
				return &credentials.OIDC{IAM: iam, IdpID: "golden-idp", IDToken: "golden.id.token"}
			},
			issuedValue(t, "JL4F2SYRLA9ZUX2FURZX", "z7gObtj1ItfVomwvYgjIVe7lQn7ad0bSZI5EOelT",
				"PoZz9JUmbqUMAWP9mMYqyxkpOk1X5R5iiRoLfF83Xmewim4e3EbFhQnwc7ms7mUTxRrdAhyeAwa_77CLrAyMYxT04gnoUpY6JQTbFwi09pEVdj5KgO_8heoxN3mwniN-jsGLnIgX3kl8H97-WKZh9jmzlKFXBhuT", "2026-01-02T03:19:09Z")},
		{"metadata", map[string]string{credentials.MetadataSecurityKeyPath: "metadata_response_securitykey.json"},
			func(_ *credentials.IAM, url string) hwhttp.CredentialsProvider {
				return metadata(t, url, fastOptions())
			},
			issuedValue(t, "ZMK6YRS1DKPAOAT1WACE", "iS6wzTS8zVImHoajJGSm5vHR7jtQBCzVwvd8Herl",
				"DVpYmHIQRncmm51lr4pZv5_l4LKbrFUtvE-shrReLTnBSbWuuZXkVSSzviwXnx2D3ccjyKpFSdW5n1bcTFOR5WZdyTASSZtQP09LdptGZgw4IKCw1z6EZAAzZEb73YbETYmR3Jn3tk1DCKA5UQJm72y3Ps_-f-nr", "2026-01-02T03:19:10Z")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIAM(t)
			for path, file := range tc.answers {
				status := http.StatusCreated
				if path == credentials.MetadataSecurityKeyPath {
					status = http.StatusOK
				}
				f.on(path, answerGolden(t, status, file))
			}
			got, err := tc.p(f.iam(t, fastOptions()), f.url).Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			keyOf := func(c hwhttp.Credentials) [3]string { return [3]string{c.AccessKey, c.SecretKey, c.SecurityToken} }
			if keyOf(got) != keyOf(tc.want) || !got.Expires.Equal(tc.want.Expires) {
				t.Fatalf("decoded %+v\nwant    %+v", got, tc.want)
			}
		})
	}

	// The identity token's answer is read for its header alone; its body is typed all the same.
	var subject credentials.IDTokenResponse
	if err := json.Unmarshal(testkit.Golden(t, testkit.GoldenDir, "iam_response_id_token.json"), &subject); err != nil {
		t.Fatal(err)
	}
	if want := (credentials.SubjectToken{ExpiresAt: utc(t, "2026-01-03T03:04:08Z"), Methods: []string{"mapped"}, IssuedAt: utc(t, "2026-01-02T03:04:08Z")}); !reflect.DeepEqual(subject.Token, want) {
		t.Fatalf("decoded %+v, want %+v", subject.Token, want)
	}
}

// IAM's and the metadata service's golden refusals become errors that carry the status, code and
// message, whichever call they answer.
func TestErrorsDecodeFromGolden(t *testing.T) {
	assumed := func(iam *credentials.IAM) hwhttp.CredentialsProvider {
		return &credentials.Agency{IAM: iam, Base: credentials.Static{Credentials: permanentKey}, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainID: "golden-target-domain"}}
	}
	federated := func(iam *credentials.IAM) hwhttp.CredentialsProvider {
		return &credentials.OIDC{IAM: iam, IdpID: "golden-idp", IDToken: "golden.id.token"}
	}
	const tokens, idTokens = "POST " + credentials.SecurityTokensPath, "POST " + credentials.IDTokenPath
	cases := []struct {
		file   string
		status int
		path   string
		p      func(*credentials.IAM) hwhttp.CredentialsProvider
		want   credentials.ServiceError
	}{
		{"iam_response_error_unauthenticated.json", 401, credentials.SecurityTokensPath, assumed, credentials.ServiceError{Operation: tokens, StatusCode: 401,
			Code: "IAM.0001", Message: "The request you have made requires authentication: verify aksk signature fail: missing or malformed Authorization header"}},
		{"iam_response_error_untrusted.json", 403, credentials.SecurityTokensPath, assumed, credentials.ServiceError{Operation: tokens, StatusCode: 403,
			Code: "IAM.0003", Message: "Policy doesn't allow iam:agencies:assume to be performed."}},
		{"iam_response_error_security_token_expired.json", 400, credentials.SecurityTokensPath, assumed, credentials.ServiceError{Operation: tokens, StatusCode: 400,
			Code: "IAM.1108", Message: "The securitytoken has expired."}},
		{"iam_response_error_unknown_idp.json", 400, credentials.IDTokenPath, federated, credentials.ServiceError{Operation: idTokens, StatusCode: 400,
			Code: "IAM.0007", Message: "Request parameter X-Idp-Id is invalid."}},
		{"iam_response_error_id_token_rejected.json", 401, credentials.IDTokenPath, federated, credentials.ServiceError{Operation: idTokens, StatusCode: 401,
			Code: "IAM.0001", Message: "The request you have made requires authentication: identity provider golden-other-idp does not accept the ID token."}},
		{"iam_response_error_invalid_token.json", 401, credentials.SecurityTokensPath, federated, credentials.ServiceError{Operation: tokens, StatusCode: 401,
			Code: "IAM.0067", Message: "Invalid token."}},
		{"metadata_response_error_not_found.txt", 404, credentials.MetadataSecurityKeyPath, nil, credentials.ServiceError{
			Operation: "GET " + credentials.MetadataSecurityKeyPath, StatusCode: 404, Message: "the answer carries no error code (text/plain; charset=utf-8, 39 bytes)"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			f := newFakeIAM(t)
			f.on(tc.path, answerGolden(t, tc.status, tc.file))
			p := tc.p
			if p == nil {
				p = func(*credentials.IAM) hwhttp.CredentialsProvider { return metadata(t, f.url, fastOptions()) }
			}
			_, err := p(f.iam(t, fastOptions())).Retrieve(context.Background())
			var got *credentials.ServiceError
			if !errors.As(err, &got) {
				t.Fatalf("want a *credentials.ServiceError, got %v", err)
			}
			got.RequestID = "" // the fake's
			if *got != tc.want {
				t.Fatalf("decoded %+v\nwant    %+v", *got, tc.want)
			}
		})
	}
}

// IAM writes expires_at with microseconds (its reference's example), which the chain reads to the
// microsecond.
func TestExpiresAtDecodesWithMicroseconds(t *testing.T) {
	f := newFakeIAM(t)
	f.on(credentials.SecurityTokensPath, answerJSON(http.StatusCreated,
		`{"credential":{"access":"AKMICRO","secret":"SK-micro","securitytoken":"TOKEN-micro","expires_at":"2020-01-08T02:56:19.587000Z"}}`))
	v, err := agency(f.iam(t, fastOptions()), credentials.Static{Credentials: permanentKey}).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2020, 1, 8, 2, 56, 19, 587_000_000, time.UTC); !v.Expires.Equal(want) || v.AccessKey != "AKMICRO" {
		t.Fatalf("decoded %s expiring %v, want AKMICRO expiring %v", v.AccessKey, v.Expires, want)
	}
}
