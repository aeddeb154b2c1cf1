package simulator

import (
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Every platform has the simulator's row: how it answers a call without credentials, and the
// codes of the faults injected there.
func TestEveryPlatformHasATokenDialect(t *testing.T) {
	for _, p := range platforms.All() {
		d, ok := tokenDialects[p.AppType]
		switch {
		case !ok:
			t.Errorf("%s: no row in tokenDialects: add how the simulator answers for it", p.AppType)
		case d.Missing.Status == 0 || d.Missing.Code == "" || d.Missing.Code == p.Token.SuccessCode:
			t.Errorf("%s: the answer to a call without credentials %+v needs a status and a code that is not success's", p.AppType, d.Missing)
		case d.Throttled == "" || d.ClientFault == "" || d.ServerFault == "":
			t.Errorf("%s: the dialect %+v needs the codes of every fault", p.AppType, d)
		}
	}
	if len(tokenDialects) != len(platforms.All()) {
		t.Errorf("tokenDialects has %d rows for %d platforms: a row for a platform nobody describes", len(tokenDialects), len(platforms.All()))
	}
}
