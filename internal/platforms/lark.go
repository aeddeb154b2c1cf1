package platforms

import (
	"net/http"
	"regexp"
)

// lark's token call: POST /open-apis/auth/v3/tenant_access_token/internal {"app_id","app_secret"}
// answers code 0 with tenant_access_token, or another code (HTTP 200 or 400, the log ID in
// X-Tt-Logid): 10003 for an unknown app_id, 10014 for a wrong secret; 99991400 is throttling.
var lark = Platform{
	AppType: Lark,
	Name:    "Lark",
	Summary: "Binds a Lark (Feishu) custom app to COC, so that incidents can open war rooms in Lark. " +
		"A tenant binds at most one Lark app.",
	Identifier: Field{
		Name: "app_id", Label: "App ID", Examples: [2]string{"cli_a1b2c3d4e5f6a7b8", "cli_b8a7f6e5d4c3b2a1"}, UsualLength: 20,
		Description: "The App ID: Lark developer console, the custom app, **Credentials & Basic Info**.",
		Format:      regexp.MustCompile(`^cli_[0-9A-Za-z]+$`),
		FormatHint:  `must start with "cli_" followed by letters and digits, as shown under Credentials & Basic Info`,
	},
	// COC's console says that Lark's Service ID is the App ID; Lark's console has no Service ID.
	Fields: []Field{{
		Name: "service_id", Label: "Service ID", Examples: [2]string{"cli_a1b2c3d4e5f6a7b8", "cli_b8a7f6e5d4c3b2a1"}, Printable: true,
		Description: "The Service ID COC uses for the app, which for Lark is the App ID: COC's console says so, and Lark's console " +
			"has no Service ID.",
		SameAs: "app_id",
	}},
	Secrets: []Field{{
		Name: "app_secret", Label: "App Secret",
		Description: "The App Secret: **Credentials & Basic Info**.",
	}},
	EndpointHint: "Feishu apps are checked at https://open.feishu.cn (the default), apps of Lark outside China at " +
		"https://open.larksuite.com.",
	NotificationType: "LARK",
	Token: TokenCall{
		Endpoint: "https://open.feishu.cn", Method: http.MethodPost, Path: "/open-apis/auth/v3/tenant_access_token/internal",
		AppIDField: "app_id", SecretField: "app_secret",
		Token: "tenant_access_token", Lifetime: "expire", Code: "code", Message: "msg", RequestIDHeader: "X-Tt-Logid",
		NumericCode: true, SuccessCode: "0", Busy: []string{"99991400"},
		UnknownApp:  Answer{http.StatusOK, "10003", "invalid param"},
		WrongSecret: Answer{http.StatusBadRequest, "10014", "app secret invalid"},
	},
}
