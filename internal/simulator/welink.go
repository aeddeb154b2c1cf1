//go:build fourthplatform

package simulator

import (
	"net/http"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// WeLink's row: the fourth platform, compiled in only with the build tag fourthplatform
// (internal/platforms/welink.go).
func init() {
	tokenDialects[platforms.WeLink] = tokenDialect{
		Missing:   platforms.Answer{Status: http.StatusBadRequest, Code: "1000", Message: "client_id and client_secret are required"},
		Throttled: "1100", ClientFault: "1000", ServerFault: "1500",
	}
}
