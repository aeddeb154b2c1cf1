package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// wecomApp describes coc_wecom_app.
var wecomApp = appDescription{
	appType:     coc.WeCom,
	displayName: "WeCom",
	summary: "Binds a WeCom (WeChat Work) self-built app to COC, so that incidents can open war rooms in WeCom. " +
		"A tenant binds at most one WeCom app.",
	fields: map[string]fieldDescription{
		"enterprise_id": {
			description: "The WeCom enterprise (corp) ID: in the WeCom admin console, **My Company > Company Information**.",
			validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^w[wx][0-9a-fA-F]{16}$`),
				`must be "ww" or "wx" followed by 16 hexadecimal digits (18 characters), as shown under My Company > Company Information`)},
		},
		"enterprise_key": {
			description: "The secret of the self-built app: **App Management > Apps > Self-built**, select the app.",
		},
		"address_book_key": {
			description: "The address book (contacts sync) secret: **App Management > Apps > Self-built**, select the app.",
		},
		"service_id": {
			description: "The app's numeric AgentId: **App Management**, select the app.",
			validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9]{1,10}$`),
				"must be the app's numeric AgentId (digits only), as shown under App Management")},
		},
	},
}
