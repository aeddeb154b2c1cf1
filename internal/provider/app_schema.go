package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

// printableNoSpace is what COC accepts in secrets and most IDs: printable ASCII, no whitespace.
// It also rejects Unicode look-alikes of ASCII letters, which copy-paste from chat apps brings.
var printableNoSpace = stringvalidator.RegexMatches(regexp.MustCompile(`^[\x21-\x7E]*$`),
	"must contain only printable ASCII characters, without spaces or line breaks")

var fieldLength = stringvalidator.LengthBetween(1, coc.MaxFieldLength)

// fieldValidators turns a field's rules into plan-time checks: COC's length limit, then the
// platform's format, its usual length (a warning) or printable ASCII.
func fieldValidators(p platforms.Platform, f platforms.Field) []validator.String {
	rules := []validator.String{fieldLength}
	if f.Format != nil {
		rules = append(rules, stringvalidator.RegexMatches(f.Format, f.FormatHint))
	}
	if f.Printable {
		rules = append(rules, printableNoSpace)
	}
	if f.UsualLength > 0 {
		rules = append(rules, validators.LengthWarning(f.UsualLength, p.Name+" "+f.Label+"s"))
	}
	return rules
}

// secretValidators check a secret's length and characters, never quoting the value.
func secretValidators(f platforms.Field) []validator.String {
	minLength, maxLength := f.SecretLength[0], f.SecretLength[1]
	if maxLength == 0 {
		minLength, maxLength = 1, coc.MaxFieldLength
	}
	return []validator.String{validators.Secret(minLength, maxLength)}
}

// schema is the platform's resource schema, built from its description.
func (r appCore) schema(ctx context.Context) schema.Schema {
	p := r.platform
	attrs := map[string]schema.Attribute{
		attrID: schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: fmt.Sprintf("The `%s` of the bound app; also the import ID.", p.Identifier.Name),
			PlanModifiers:       []planmodifier.String{idIsIdentifier{p.Identifier.Name}},
		},
		p.Identifier.Name: schema.StringAttribute{
			Required: true,
			MarkdownDescription: p.Identifier.Description + " It cannot be changed in place: changing it unbinds the app " +
				"and binds the new one (replacement).",
			Validators:    fieldValidators(p, p.Identifier),
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		attrStatus: schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The binding's status, `enabled` once bound.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		attrCreatedAt: schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the app was bound (RFC 3339, UTC).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		attrUpdatedAt: schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the binding last changed (RFC 3339, UTC).",
		},
		attrKeyUpdatedAt: schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "When the secrets were last set (RFC 3339, UTC), by Terraform or on the console. A value newer than " +
				"Terraform's last apply means the secrets were changed elsewhere; see *Drift*.",
		},
	}
	attrs[attrNotificationType] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: fmt.Sprintf("`%s`: the `notification_type` of a `huaweicloud_coc_war_room` that opens its group in %s. "+
			"Set `notification_type` from it, so that the war room depends on this binding.", p.NotificationType, p.Name),
		Default: stringdefault.StaticString(p.NotificationType),
	}
	for _, f := range p.Fields {
		field := schema.StringAttribute{
			Required:            true,
			MarkdownDescription: f.Description,
			Validators:          fieldValidators(p, f),
		}
		if f.SameAs != "" {
			field.Required, field.Optional, field.Computed = false, true, true
			field.MarkdownDescription += fmt.Sprintf(" Defaults to `%s`; another value gets a warning at plan, or with "+
				"`war_room_readiness = \"enforce\"` fails it.", f.SameAs)
			field.PlanModifiers = []planmodifier.String{defaultsTo{f.SameAs}}
		}
		attrs[f.Name] = field
	}
	for _, secret := range p.Secrets {
		s, rules := secret.Name, secretValidators(secret)
		wo, version := writeOnlyAttr(s), versionAttr(s)
		attrs[s] = schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: fmt.Sprintf("%s Stored in the Terraform state; prefer `%s`. Exactly one of `%s` and `%s` must be set. "+
				"Changing it updates the binding in place.", secret.Description, wo, s, wo),
			Validators: rules,
		}
		attrs[wo] = schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			WriteOnly: true,
			MarkdownDescription: fmt.Sprintf("%s Write-only: sent to COC but never stored in the state or the plan (Terraform 1.11 and "+
				"later). It is sent on create and whenever `%s` changes. Requires `%s`.", secret.Description, version, version),
			Validators: rules,
		}
		attrs[version] = schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("A number you choose for the value of `%s`. Change it (for example, increase it) to send "+
				"`%s` again, which is how a write-only secret is rotated.", wo, wo),
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		}
	}
	return schema.Schema{
		MarkdownDescription: p.Summary,
		Attributes:          attrs,
		Blocks:              map[string]schema.Block{attrTimeouts: timeoutsBlock(ctx)},
	}
}

// idIsIdentifier plans id as the identifier it always equals, so that a create or a replacement
// shows it at plan instead of "(known after apply)".
type idIsIdentifier struct{ identifier string }

func (m idIsIdentifier) Description(context.Context) string {
	return "id is planned as the value of " + m.identifier
}

func (m idIsIdentifier) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m idIsIdentifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	var identifier types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(m.identifier), &identifier)...)
	if identifier.IsUnknown() || identifier.IsNull() {
		return // known only at apply, like the identifier
	}
	resp.PlanValue = identifier
}

// defaultsTo plans a field left out of the configuration as the value of another (the
// identifier): always, not only when created, so that a value changed on the console shows as a
// change back.
type defaultsTo struct{ other string }

func (m defaultsTo) Description(context.Context) string {
	return "defaults to the value of " + m.other
}

func (m defaultsTo) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m defaultsTo) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var other types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(m.other), &other)...)
	resp.PlanValue = other
}

// timeoutsBlock is the timeouts library's block with one more rule: a zero or negative
// duration, which would fail every operation before it starts, is refused at plan time.
func timeoutsBlock(ctx context.Context) schema.Block {
	block, ok := timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}).(schema.SingleNestedBlock)
	if !ok {
		panic("timeouts.Block no longer returns a SingleNestedBlock") // caught by every schema test
	}
	for name, attr := range block.Attributes {
		if s, ok := attr.(schema.StringAttribute); ok {
			s.Validators = append(s.Validators, validators.PositiveDuration())
			block.Attributes[name] = s
		}
	}
	return block
}

// A binding's identity is the platform identifier of the bound app (enterprise_id, client_id or
// app_id): it names the app COC binds, it never changes in place (a new identifier is a new
// binding), and it is what import, terraform query and HCP Terraform use to recognise the binding.
// Terraform 1.12 and later store it; older versions drop it without complaint.
func (r appCore) identitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			r.platform.Identifier.Name: identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       fmt.Sprintf("The %s of the bound %s app, as in the %s attribute.", r.platform.Identifier.Name, r.platform.Name, r.platform.Identifier.Name),
			},
		},
	}
}
