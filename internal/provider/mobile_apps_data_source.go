package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

var _ datasource.DataSourceWithConfigure = &mobileAppsDataSource{}

// NewMobileAppsDataSource returns the coc_mobile_apps data source.
func NewMobileAppsDataSource() datasource.DataSource { return &mobileAppsDataSource{} }

type mobileAppsDataSource struct {
	data *providerData
}

type mobileAppsModel struct {
	AppType  types.String     `tfsdk:"app_type"`
	Apps     []mobileAppModel `tfsdk:"apps"`
	Timeouts timeouts.Value   `tfsdk:"timeouts"`
}

type mobileAppModel struct {
	AppType         types.String `tfsdk:"app_type"`
	AppID           types.String `tfsdk:"app_id"`
	ServiceID       types.String `tfsdk:"service_id"`
	GroupTemplateID types.String `tfsdk:"group_template_id"`
	RobotID         types.String `tfsdk:"robot_id"`
	Status          types.String `tfsdk:"status"`
	CreatedAt       types.String `tfsdk:"created_at"`
	UpdatedAt       types.String `tfsdk:"updated_at"`
	KeyUpdatedAt    types.String `tfsdk:"key_updated_at"`
}

func (d *mobileAppsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mobile_apps"
}

func (d *mobileAppsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the tenant's mobile app bindings (WeCom, DingTalk, Lark), without their secrets. " +
			"To find bindings to import, `terraform query` with the resources' list support is the tool; this data source " +
			"reads them inside a configuration.",
		Attributes: map[string]schema.Attribute{
			"app_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only list bindings of this app type: one of `wecom`, `dingtalk`, `lark`.",
				Validators:          []validator.String{stringvalidator.OneOf(coc.AppTypeNames()...)},
			},
			"apps": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The bindings, in the order COC returns them (every page is read).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"app_type":          computed("`wecom`, `dingtalk` or `lark`."),
					"app_id":            computed("The bound app's identifier: `enterprise_id` (WeCom), `client_id` (DingTalk) or `app_id` (Lark)."),
					"service_id":        computed("The service (agent) ID."),
					"group_template_id": computed("The scenario group template ID (DingTalk only)."),
					"robot_id":          computed("The scenario group robot ID (DingTalk only)."),
					"status":            computed("The binding's status."),
					"created_at":        computed("When the app was bound (RFC 3339, UTC)."),
					"updated_at":        computed("When the binding last changed (RFC 3339, UTC)."),
					"key_updated_at":    computed("When the secrets were last set (RFC 3339, UTC)."),
				}},
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
	ctx, cancel := context.WithTimeout(maskLogs(ctx, d.data.secrets.Values()), readTimeout)
	defer cancel()
	model.Apps = []mobileAppModel{}
	for b, err := range d.data.client.AllBindings(ctx, coc.AppType(model.AppType.ValueString())) {
		if err != nil {
			resp.Diagnostics.AddError("Failed to List Mobile App Bindings", d.data.errorDetail(err))
			return
		}
		values := computedValues(&b)
		model.Apps = append(model.Apps, mobileAppModel{
			AppType:         types.StringValue(string(b.AppType)),
			AppID:           types.StringValue(b.Identifier()),
			ServiceID:       nullableString(b.Fields["service_id"]),
			GroupTemplateID: nullableString(b.Fields["group_template_id"]),
			RobotID:         nullableString(b.Fields["robot_id"]),
			Status:          types.StringValue(values[attrStatus]),
			CreatedAt:       types.StringValue(values[attrCreatedAt]),
			UpdatedAt:       types.StringValue(values[attrUpdatedAt]),
			KeyUpdatedAt:    types.StringValue(values[attrKeyUpdatedAt]),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
