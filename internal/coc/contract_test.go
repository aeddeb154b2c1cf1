package coc_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The contract document and the code must name the same error codes: COC's, the client's
// gateway codes, and those only the simulator answers with.
func TestContractDocumentMatchesCode(t *testing.T) {
	doc, err := os.ReadFile("CONTRACT.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := regexp.MustCompile("`((?:COC\\.\\d{8})|(?:APIG\\.\\d{4}))`").FindAllStringSubmatch(string(doc), -1)
	known := []string{coc.CodeSuccess, coc.CodeInvalidField, coc.CodeImmutableField, coc.CodeNotBound, coc.CodeAlreadyBound,
		coc.CodeOtherAppBound, coc.CodeKeyReused, coc.CodeInternal, coc.CodeNoSuchAPI,
		hwhttp.CodeBadSignature, hwhttp.CodeNotPublished, hwhttp.CodeNoBackend, hwhttp.CodeOrchestration,
		simulator.CodeThrottled, simulator.CodeStaleDate, simulator.CodeDomainMismatch}
	seen := map[string]bool{}
	for _, m := range documented {
		seen[m[1]] = true
		if !slices.Contains(known, m[1]) {
			t.Errorf("CONTRACT.md documents %s, which the code does not define", m[1])
		}
	}
	for _, code := range known {
		if !seen[code] {
			t.Errorf("the code defines %s, which CONTRACT.md does not document", code)
		}
	}
	if !strings.Contains(string(doc), "`"+simulator.SecurityTokenExpired+"`") {
		t.Errorf("CONTRACT.md does not say how an expired security token is refused (%q)", simulator.SecurityTokenExpired)
	}
	for region, endpoint := range coc.Endpoints {
		if !regexp.MustCompile("`" + regexp.QuoteMeta(region) + "` \\| `" + regexp.QuoteMeta(endpoint) + "`").Match(doc) {
			t.Errorf("CONTRACT.md does not list %s → %s", region, endpoint)
		}
	}
}
