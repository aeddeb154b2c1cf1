package simulator

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// CONTRACT.md and the simulator must name the same IAM error codes.
func TestContractDocumentsTheIAMCodes(t *testing.T) {
	doc, err := os.ReadFile("../coc/CONTRACT.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("`(IAM\\.\\d{4})`").FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(documented)
	documented = slices.Compact(documented)
	served := []string{iamUnauthenticated, iamNotAuthorized, iamPolicyDenied, iamNotFound, iamInternal, iamInvalidParameter,
		iamInvalidBody, iamThrottled, iamTokenExpired, iamInvalidToken, iamRequiredProperty, iamInvalidField, iamSecurityTokenExpired}
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("CONTRACT.md documents %v, the simulator answers with %v", documented, served)
	}
}
