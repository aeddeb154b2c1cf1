package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

var _ datasource.DataSourceWithConfigure = &mobileAppsDataSource{}

// NewMobileAppsDataSource returns the coc_mobile_apps data source.
func NewMobileAppsDataSource() datasource.DataSource { return &mobileAppsDataSource{} }

type mobileAppsDataSource struct {
	data *providerData
}

type mobileAppsModel struct {
	AppType  types.String   `tfsdk:"app_type"`
	Apps     types.List     `tfsdk:"apps"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// Every listed app has app_type, app_id (its platform's identifier), the plain fields of every
// platform (null where its platform has none) and the timestamps.
const attrAppType, attrAppID = "app_type", "app_id"

// listedField is a plain field of one or more platforms, as the list shows it.
type listedField struct {
	name, label string
	of          []string
}

// listedFields are the plain fields of all platforms, in the order the platforms name them.
func listedFields() []listedField {
	var out []listedField
	for _, p := range platforms.All() {
		for _, f := range p.Fields {
			i := slices.IndexFunc(out, func(l listedField) bool { return l.name == f.Name })
			if i < 0 {
				out = append(out, listedField{name: f.Name, label: f.Label})
				i = len(out) - 1
			}
			out[i].of = append(out[i].of, p.Name)
		}
	}
	return out
}

func listedAttrTypes() map[string]attr.Type {
	attrTypes := map[string]attr.Type{}
	for _, name := range []string{attrAppType, attrAppID, attrStatus, attrCreatedAt, attrUpdatedAt, attrKeyUpdatedAt, attrNotificationType} {
		attrTypes[name] = types.StringType
	}
	for _, f := range listedFields() {
		attrTypes[f.name] = types.StringType
	}
	return attrTypes
}

func (d *mobileAppsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mobile_apps"
}

func (d *mobileAppsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	var identifiers []string
	for _, p := range platforms.All() {
		identifiers = append(identifiers, fmt.Sprintf("`%s` (%s)", p.Identifier.Name, p.Name))
	}
	listed := map[string]schema.Attribute{
		attrAppType:      computed(fmt.Sprintf("One of %s.", quoteAll(platforms.AppTypes()))),
		attrAppID:        computed("The bound app's identifier: " + strings.Join(identifiers, ", ") + "."),
		attrStatus:       computed("The binding's status."),
		attrCreatedAt:    computed("When the app was bound (RFC 3339, UTC)."),
		attrUpdatedAt:    computed("When the binding last changed (RFC 3339, UTC)."),
		attrKeyUpdatedAt: computed("When the secrets were last set (RFC 3339, UTC)."),
		attrNotificationType: computed("The `notification_type` of a `huaweicloud_coc_war_room` that opens its group on the " +
			"app's platform: " + notificationTypes() + "."),
	}
	for _, f := range listedFields() {
		description := fmt.Sprintf("The %s of the bound app.", f.label)
		if len(f.of) < len(platforms.All()) {
			description = fmt.Sprintf("The %s (%s only); null for the other platforms' apps.", f.label, strings.Join(f.of, ", "))
		}
		listed[f.name] = computed(description)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's mobile app bindings (" + strings.Join(platformNames(), ", ") + "), without their " +
			"secrets. To find bindings to import, `terraform query` with the resources' list support is the tool; this data " +
			"source reads them inside a configuration.",
		Attributes: map[string]schema.Attribute{
			attrAppType: schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Only list bindings of this app type: one of %s.", quoteAll(platforms.AppTypes())),
				Validators:          []validator.String{stringvalidator.OneOf(platforms.AppTypes()...)},
			},
			"apps": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The bindings, in the order COC returns them.",
				NestedObject:        schema.NestedAttributeObject{Attributes: listed},
			},
		},
		Blocks: map[string]schema.Block{attrTimeouts: dataSourceTimeoutsBlock(ctx)},
	}
}

// dataSourceTimeoutsBlock is the timeouts library's read block, refusing a zero or negative
// duration at plan time as the resources' block does.
func dataSourceTimeoutsBlock(ctx context.Context) schema.Block {
	block, ok := timeouts.Block(ctx).(schema.SingleNestedBlock)
	if !ok {
		panic("timeouts.Block no longer returns a SingleNestedBlock") // caught by every schema test
	}
	read, ok := block.Attributes["read"].(schema.StringAttribute)
	if !ok {
		panic("the timeouts block has no read attribute") // likewise
	}
	read.Validators = append(read.Validators, validators.PositiveDuration())
	block.Attributes["read"] = read
	return block
}

func (d *mobileAppsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *mobileAppsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model mobileAppsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	readTimeout, diags := model.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A server that never stops answering must not hold the plan longer than the read timeout.
	ctx, cancel := context.WithTimeout(maskLogs(ctx, d.data.secrets), readTimeout)
	defer cancel()
	objectType := types.ObjectType{AttrTypes: listedAttrTypes()}
	apps := []attr.Value{}
	for b, err := range d.data.client.AllBindings(ctx, platforms.AppType(model.AppType.ValueString())) {
		if err != nil {
			resp.Diagnostics.Append(listFailed(d.data.reach, err))
			return
		}
		app, diags := types.ObjectValue(objectType.AttrTypes, listedValues(&b))
		resp.Diagnostics.Append(diags...)
		apps = append(apps, app)
	}
	model.Apps, diags = types.ListValue(objectType, apps)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// listedValues is one binding as the list shows it.
func listedValues(b *coc.Binding) map[string]attr.Value {
	values := map[string]attr.Value{attrAppType: types.StringValue(string(b.AppType)), attrAppID: types.StringValue(b.Identifier())}
	for name, v := range computedValues(b) {
		values[name] = types.StringValue(v)
	}
	for _, f := range listedFields() {
		values[f.name] = nullableString(b.Fields[f.name])
	}
	return values
}

// notificationTypes lists each platform's war room notification type.
func notificationTypes() string {
	var out []string
	for _, p := range platforms.All() {
		out = append(out, fmt.Sprintf("`%s` (%s)", p.NotificationType, p.Name))
	}
	return strings.Join(out, ", ")
}
