package provider

import (
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

// providerSchema is the provider's arguments, each with what it falls back to.
func providerSchema() schema.Schema {
	regions := knownRegions()
	oneLine := []validator.String{stringvalidator.LengthAtLeast(1), printableNoSpace}
	duration := func(env string) schema.Int64Attribute {
		return schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("How long, in seconds, the temporary credentials last: %d (15 minutes) to %d (24 hours); "+
				"IAM's default is 15 minutes. The provider renews them before they expire, so this only sets how often. Falls back to `%s`.",
				minDuration, maxDuration, env),
			Validators: []validator.Int64{int64validator.Between(minDuration, maxDuration)},
		}
	}
	s := schema.Schema{
		MarkdownDescription: "Manages the mobile app bindings (" + strings.Join(platformNames(), ", ") + ") of Huawei Cloud COC (Cloud Operations Center). " +
			"Every argument falls back to the environment variable the `huaweicloud` provider uses.\n\n" +
			"The provider block decides where the credentials come from: a source it names (`assume_role_with_oidc`, the key pair " +
			"`access_key` and `secret_key`, or a KooCLI profile by `profile` or `shared_config_file`) is used, its variables fill in " +
			"what the block leaves unset, and the variables of other sources, the `HW_ASSUME_ROLE_*` agency variables (unless the " +
			"block has `assume_role`) and `HW_DOMAIN_ID` are ignored. Naming two sources is an error. A block that names none takes " +
			"the first the environment configures: the OIDC variables, the key pair, a KooCLI profile, and else the ECS metadata " +
			"service, which serves the credentials of the agency attached to the ECS instance or CCE node Terraform runs on. " +
			"`assume_role` then assumes an agency with them. The provider obtains temporary credentials when it first needs them, not for `terraform validate`, " +
			"and renews them before they expire.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The region whose COC endpoint to use: one of %s. Falls back to `%s`, then to the "+
					"profile's region, then `%s`. Any other region needs `endpoint`.", quoteAll(regions), envRegion, credentials.DefaultRegion),
				Validators: oneLine,
			},
			"access_key": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The access key (AK) that signs requests, with `secret_key`. Falls back to `%s`. "+
					"Leave the key pair unset to use a profile, the metadata service or `assume_role_with_oidc`.", envAccessKey),
				Validators: oneLine,
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: fmt.Sprintf("The secret key (SK) of `access_key`. Falls back to `%s`.", envSecretKey),
				Validators:          []validator.String{validators.Secret(1, maxCredentialLength)},
			},
			"security_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: fmt.Sprintf("The security token of a temporary key pair. Falls back to `%s` when the access key "+
					"comes from `%s`. The provider cannot renew a token it is given: once it expires, requests fail until it is "+
					"replaced.", envSecurityToken, envAccessKey),
				// Empty means none, so that a variable defaulting to "" works for permanent keys.
				Validators: []validator.String{validators.Secret(0, maxCredentialLength)},
			},
			"domain_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The account (domain) ID, sent as `X-Domain-Id`. Falls back to `%s` when the "+
					"environment gives the credentials' source too, then to the profile's `domainId`. With an agency (`assume_role`, or `agency_name` in `assume_role_with_oidc`), COC acts in the "+
					"agency's account: `X-Domain-Id` is then the agency's `domain_id`, or none when the agency names its account by "+
					"`domain_name`; this value, the caller's account, is not sent.", envDomainID),
				Validators: []validator.String{printableNoSpace},
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The COC API base URL, overriding the region's endpoint (for example the simulator's "+
					"`http://127.0.0.1:18080`). Falls back to `%s`.", envEndpoint),
				Validators: []validator.String{validators.Endpoint("COC", "https://coc.myhuaweicloud.com")},
			},
			"iam_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The IAM base URL that `assume_role` and `assume_role_with_oidc` call, overriding "+
					"the region's (`%s`, or `myhuaweicloud.eu` in the European regions). Falls back to `%s`.",
					credentials.IAMEndpoint("{region}"), envIAMEndpoint),
				Validators: []validator.String{validators.Endpoint("IAM", credentials.IAMEndpoint(credentials.DefaultRegion))},
			},
			"shared_config_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The KooCLI (`hcloud`) configuration file to read `profile` from; `%s` when only "+
					"`profile` is set. Falls back to `%s`. Set here or with `profile`, the profile is the source of the credentials, "+
					"whatever the environment holds.", credentials.DefaultSharedConfigFile, envSharedConfigFile),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The KooCLI profile to use; the file's `current` profile when only "+
					"`shared_config_file` is set. Falls back to `%s`. Mode `AKSK` profiles give their key pair (and `securityToken`), "+
					"mode `SSO` profiles their `ssoAuth.stsToken`; `region` and `domainId` fill in `region` and `domain_id` when unset, "+
					"and an agency (`agencyName` with `agencyDomainName` or `agencyDomainId`) is assumed unless `assume_role` is set.", envProfile),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How often a request that failed for a transient reason (a connection error that may "+
					"pass, throttling, a server fault) is retried, by COC, IAM, the metadata service or the platforms: 0 to %d. Falls "+
					"back to `%s`, then `%d`. A request that no retry can fix (plain HTTP answering an `https://` endpoint, a "+
					"certificate or TLS error, a host name that does not exist) fails at once.", hwhttp.MaxRetriesLimit, envMaxRetries,
					hwhttp.DefaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, hwhttp.MaxRetriesLimit)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: fmt.Sprintf("Assumes an IAM agency with the credentials from the other arguments (or the metadata "+
					"service), and manages the bindings with the agency's temporary credentials, in the agency's account. Without "+
					"the block, `%s` and the variables below configure it, unless `assume_role_with_oidc` applies or the provider block "+
					"names the source of the credentials.", envAssumeRoleAgency),
				Attributes: map[string]schema.Attribute{
					"agency_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: fmt.Sprintf("The agency's name. Required, here or in `%s`.", envAssumeRoleAgency),
						Validators:          oneLine,
					},
					"domain_name": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("The name of the account (domain) the agency belongs to. Falls back to `%s`. "+
							"Set this or `domain_id`; their variables apply only when the block sets neither.", envAssumeRoleDomainName),
						Validators: append([]validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("domain_id"))}, oneLine...),
					},
					"domain_id": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("The ID of the account (domain) the agency belongs to, also sent as "+
							"`X-Domain-Id`. Falls back to `%s`. Set this or `domain_name`.", envAssumeRoleDomainID),
						Validators: oneLine,
					},
					"duration": duration(envAssumeRoleDuration),
				},
			},
			"assume_role_with_oidc": schema.SingleNestedBlock{
				MarkdownDescription: fmt.Sprintf("Exchanges an OIDC identity token, such as the one HCP Terraform or a CI system issues "+
					"to a run, for temporary credentials at IAM, and optionally assumes an agency with them. The block makes it the "+
					"source of the credentials, whatever the environment holds. Without the block, `%s` and the variables below "+
					"configure it, ahead of the environment's other sources.", envIdpID),
				Attributes: map[string]schema.Attribute{
					"idp_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: fmt.Sprintf("The ID of the identity provider in IAM. Required, here or in `%s`.", envIdpID),
						Validators:          oneLine,
					},
					"id_token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: fmt.Sprintf("The identity token. Falls back to `%s`. Set this or `id_token_file`; their "+
							"variables apply only when the block sets neither, and without either the provider uses `%s`, the workload identity "+
							"token HCP Terraform gives a run.", envIDToken, envHCPWorkloadIdentityToken),
						Validators: []validator.String{validators.Secret(1, maxCredentialLength),
							stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("id_token_file"))},
					},
					"id_token_file": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("A file holding the identity token, read again whenever the credentials are "+
							"renewed, as CI runners rotate it. Falls back to `%s`. Set this or `id_token`.", envIDTokenFile),
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"agency_name": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("An agency to assume with the federated user's credentials; needs `domain_id`. "+
							"`%s` sets it only without the block: an agency moves the account, so the block asks for one itself.",
							envAssumeRoleAgency),
						Validators: oneLine,
					},
					"domain_id": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("The ID of the account the agency belongs to, also sent as `X-Domain-Id`. "+
							"Falls back to `%s`.", envAssumeRoleDomainID),
						Validators: oneLine,
					},
					"duration": duration(envAssumeRoleDuration),
				},
			},
		},
	}
	maps.Copy(s.Attributes, verificationAttributes())
	return s
}

// verificationAttributes are the provider arguments of the checks with the platforms.
func verificationAttributes() map[string]schema.Attribute {
	endpoints := map[string]schema.Attribute{}
	for _, pl := range platforms.All() {
		def := pl.Token.Endpoint
		endpoints[string(pl.AppType)] = schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("The %s API base URL that the secrets of `coc_%s_app` are checked at. Defaults to `%s`.",
				pl.Name, pl.AppType, def),
			Validators: []validator.String{validators.PlatformEndpoint(pl.Name, def)},
		}
	}
	return map[string]schema.Attribute{
		attrVerifyAppCredentials: schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Check every app secret that a plan will send to COC with the app's platform (%s) while "+
				"planning: the provider asks the platform for an access token with the app's ID and the secret, as COC does before "+
				"it opens a war room. A secret the platform rejects fails the plan, on its argument and in the platform's words, and "+
				"COC receives nothing. A secret known only at apply is checked during the apply, before it is sent. The provider "+
				"must reach the platforms over HTTPS (see `%s`). Falls back to `%s`; defaults to `false`.",
				strings.Join(platformNames(), ", "), attrPlatformEndpoints, envVerifyAppCredentials),
		},
		attrWarRoomReadiness: schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Whether every plan checks, with read-only calls to each binding's platform, that the "+
				"binding can open an incident's war room: that the app, its agent or bot, its permissions and the IDs the binding "+
				"names are the ones COC needs, and that its secrets still work. `off` (the default) makes no platform call; `warn` "+
				"reports each binding that is not ready as a warning on the attribute concerned, for estates that exist; `enforce` "+
				"fails the plan instead, and nothing is sent to COC, for CI. A platform that gives no verdict (unreachable, "+
				"throttling, a caller it does not trust) is a warning in both modes. The checks use the configured secrets, "+
				"write-only ones included, and reach the platforms as `%s` says. Falls back to `%s`. See the guide *Is the war "+
				"room ready?*.", attrPlatformEndpoints, envWarRoomReadiness),
			Validators: []validator.String{stringvalidator.OneOf(modeNames()...)},
		},
		attrPlatformEndpoints: schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Where `%s` and `%s` ask the platforms: for Lark outside China (Lark Suite), whose apps "+
				"are checked at `https://open.larksuite.com`, a proxy, or the simulator. Each must be an `https://` URL, or `http://` "+
				"on a loopback address.", attrVerifyAppCredentials, attrWarRoomReadiness),
			Attributes: endpoints,
		},
	}
}

// modeNames are the values war_room_readiness takes.
func modeNames() []string {
	var out []string
	for _, m := range readiness.Modes() {
		out = append(out, string(m))
	}
	return out
}
