package provider

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// validatedAttribute is a string attribute of the provider, a resource or the data source, with
// the validators its schema gives it.
type validatedAttribute struct {
	name       string
	validators []validator.String
	sensitive  bool
}

type stringAttribute interface {
	StringValidators() []validator.String
	IsSensitive() bool
}

// validatedAttributes lists every string attribute that has validators, in a stable order.
func validatedAttributes() []validatedAttribute {
	ctx := context.Background()
	var out []validatedAttribute
	add := func(owner string, name string, a any) {
		if s, ok := a.(stringAttribute); ok && len(s.StringValidators()) > 0 {
			out = append(out, validatedAttribute{name: owner + "." + name, validators: s.StringValidators(), sensitive: s.IsSensitive()})
		}
	}
	var ps provider.SchemaResponse
	testProvider().Schema(ctx, provider.SchemaRequest{}, &ps)
	for name, a := range ps.Schema.Attributes {
		add("provider", name, a)
	}
	for _, newResource := range testProvider().Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "coc"}, &meta)
		var rs resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &rs)
		for name, a := range rs.Schema.Attributes {
			add(meta.TypeName, name, a)
		}
	}
	var ds datasource.SchemaResponse
	NewMobileAppsDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)
	for name, a := range ds.Schema.Attributes {
		add("coc_mobile_apps", name, a)
	}
	slices.SortFunc(out, func(a, b validatedAttribute) int { return strings.Compare(a.name, b.name) })
	return out
}

func runValidators(a validatedAttribute, value string) string {
	var texts []string
	for _, v := range a.validators {
		req := validator.StringRequest{Path: path.Root(a.name), ConfigValue: types.StringValue(value)}
		var resp validator.StringResponse
		v.ValidateString(context.Background(), req, &resp)
		for _, d := range resp.Diagnostics {
			texts = append(texts, d.Severity().String()+" "+d.Summary()+": "+d.Detail())
		}
	}
	return strings.Join(texts, "\n")
}

// Every validator of every attribute (the regular expressions of each platform's IDs included)
// takes any value without panicking, and those of sensitive attributes never show the value:
// their words are the same for a value whose printable characters are all changed.
func FuzzSchemaValidators(f *testing.F) {
	attrs := validatedAttributes()
	seeds := []string{"", "two words", "kеy", "-5m", "https://u:p@h"}
	for _, p := range platforms.All() {
		seeds = append(seeds, p.Identifier.Examples[:]...)
	}
	for i := range attrs {
		for _, s := range seeds {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, index uint8, value string) {
		if !utf8.ValidString(value) {
			return // Terraform strings are always UTF-8
		}
		a := attrs[int(index)%len(attrs)]
		verdict := runValidators(a, value)
		if !a.sensitive {
			return
		}
		disguised := strings.Map(func(r rune) rune {
			if r >= 0x21 && r <= 0x7e {
				return 0x21 + (r-0x21+47)%94
			}
			return r
		}, value)
		if again := runValidators(a, disguised); again != verdict {
			t.Fatalf("%s: the verdict depends on the secret's characters:\n%s\n%s", a.name, verdict, again)
		}
	})
}

func TestValidatedAttributesCoverTheSecrets(t *testing.T) {
	var sensitive []string
	for _, a := range validatedAttributes() {
		if a.sensitive {
			sensitive = append(sensitive, a.name)
		}
	}
	// Two provider credentials and, per platform, each secret in two forms.
	want := 2
	for _, p := range platforms.All() {
		want += 2 * len(p.Secrets)
	}
	if len(sensitive) != want {
		t.Fatalf("sensitive attributes with validators: %v, want %d", sensitive, want)
	}
}
