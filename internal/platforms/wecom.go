package platforms

import (
	"net/http"
	"regexp"
)

// wecom's token call: GET /cgi-bin/gettoken?corpid=&corpsecret= answers HTTP 200 with errcode 0
// and access_token, or another errcode: 40013 for an unknown corpid, 40001 for a wrong secret;
// -1 is "system busy" and 45009 a call rate above the limit.
var wecom = Platform{
	AppType: WeCom,
	Name:    "WeCom",
	Summary: "Binds a WeCom (WeChat Work) self-built app to COC, so that incidents can open war rooms in WeCom. " +
		"A tenant binds at most one WeCom app.",
	Identifier: Field{
		Name: "enterprise_id", Label: "Enterprise ID", Examples: [2]string{"ww0123456789abcdef", "wx1111111111111111"},
		Description: "The WeCom enterprise (corp) ID: in the WeCom admin console, **My Company > Company Information**.",
		Format:      regexp.MustCompile(`^w[wx][0-9a-fA-F]{16}$`),
		FormatHint:  `must be "ww" or "wx" followed by 16 hexadecimal digits (18 characters), as shown under My Company > Company Information`,
	},
	Fields: []Field{{
		Name: "service_id", Label: "Service ID", Examples: [2]string{"1000002", "1000003"},
		Description: "The app's numeric AgentId: **App Management**, select the app.",
		Format:      regexp.MustCompile(`^[0-9]{1,10}$`),
		FormatHint:  "must be the app's numeric AgentId (digits only), as shown under App Management",
	}},
	Secrets: []Field{
		{Name: "enterprise_key", Label: "Enterprise Key",
			Description: "The secret of the self-built app: **App Management > Apps > Self-built**, select the app."},
		{Name: "address_book_key", Label: "Address Book Key",
			Description: "The address book (contacts sync) secret: **App Management > Apps > Self-built**, select the app."},
	},
	NotificationType: "WECHAT",
	Token: TokenCall{
		Endpoint: "https://qyapi.weixin.qq.com", Method: http.MethodGet, Path: "/cgi-bin/gettoken",
		AppIDField: "corpid", SecretField: "corpsecret",
		Token: "access_token", Lifetime: "expires_in", Code: "errcode", Message: "errmsg",
		NumericCode: true, SuccessCode: "0", Busy: []string{"-1", "45009"},
		UnknownApp:  Answer{http.StatusOK, "40013", "invalid corpid"},
		WrongSecret: Answer{http.StatusOK, "40001", "invalid credential"},
	},
}
