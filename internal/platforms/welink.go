//go:build fourthplatform

package platforms

import (
	"net/http"
	"regexp"
)

// WeLink is a fourth platform that exists to prove that adding one takes its entry, its
// examples and nothing else: it is compiled in only with the build tag fourthplatform, which
// `make test-fourth-platform` sets. Its token call follows WeLink's open platform, with codes of
// its own making.
const WeLink AppType = "welink"

func init() { all = append(all, welink) }

// welink's token call: POST /api/auth/v2/tickets {"client_id","client_secret"} answers code "0"
// with access_token, or another code as a string (HTTP 200 or 400, the request ID in
// X-Request-Id).
var welink = Platform{
	AppType: WeLink,
	Name:    "WeLink",
	Summary: "Binds a Huawei WeLink app to COC, so that incidents can open war rooms as WeLink groups. " +
		"A tenant binds at most one WeLink app.",
	Identifier: Field{
		Name: "client_id", Label: "Client ID", Examples: [2]string{"20200604115253409614", "20210917083011275318"},
		Description: "The app's Client ID: WeLink open platform, the app, **Credentials**.",
		Format:      regexp.MustCompile(`^[0-9]{20}$`),
		FormatHint:  "must be the app's 20-digit Client ID, as shown under Credentials",
	},
	Fields: []Field{
		{Name: "tenant_id", Label: "Tenant ID", Examples: [2]string{"tenant-0001", "tenant-0002"}, Printable: true,
			Description: "The WeLink tenant the app belongs to: WeLink admin console, **Enterprise Information**."},
		{Name: "service_id", Label: "Service ID", Examples: [2]string{"welink-svc-0001", "welink-svc-0002"}, Printable: true,
			Description: "The service ID COC uses for the app: WeLink open platform, the app, **Credentials**."},
	},
	Secrets: []Field{{
		Name: "client_secret", Label: "Client Secret", SecretLength: [2]int{32, 64},
		Description: "The app's Client Secret, 32 to 64 characters: WeLink open platform, the app, **Credentials**.",
	}},
	NotificationType: "WELINK",
	Token: TokenCall{
		Endpoint: "https://open.welink.huaweicloud.com", Method: http.MethodPost, Path: "/api/auth/v2/tickets",
		AppIDField: "client_id", SecretField: "client_secret",
		Token: "access_token", Lifetime: "expires_in", Code: "code", Message: "message", RequestIDHeader: "X-Request-Id",
		SuccessCode: "0", Busy: []string{"1100"},
		UnknownApp:  Answer{http.StatusBadRequest, "1001", "client_id not found"},
		WrongSecret: Answer{http.StatusBadRequest, "1002", "client_secret invalid"},
	},
}
