package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Words the schema, the docs and the diagnostics share.

// platformNames names every platform, in the descriptions' order.
func platformNames() []string {
	var names []string
	for _, p := range platforms.All() {
		names = append(names, p.Name)
	}
	return names
}

// typeNameOf is the type name of a platform's resource and list resource.
func typeNameOf(p platforms.Platform) string { return "coc_" + string(p.AppType) + "_app" }

// knownRegions are the regions COC has a known endpoint in, sorted.
func knownRegions() []string {
	regions := make([]string, 0, len(coc.Endpoints))
	for r := range coc.Endpoints {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	return regions
}

// quoteAll renders values as a comma-separated list of Markdown code.
func quoteAll(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("`%s`", v)
	}
	return strings.Join(quoted, ", ")
}

// titleCase capitalises the first letter of s.
func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// The attributes of a secret's write-only value and of its version, as every platform's resource
// names them.
const (
	writeOnlySuffix = "_wo"
	versionSuffix   = "_wo_version"
)

func writeOnlyAttr(secret string) string { return secret + writeOnlySuffix }
func versionAttr(secret string) string   { return secret + versionSuffix }
