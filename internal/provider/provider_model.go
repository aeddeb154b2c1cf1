package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
)

// The provider's arguments as Configure reads them, the environment variables they fall back to,
// and their bounds.

// Environment variables: credentials declares them, so that the provider and the conformance kit
// read the same ones.
const (
	envRegion                   = credentials.EnvRegion
	envAccessKey                = credentials.EnvAccessKey
	envSecretKey                = credentials.EnvSecretKey
	envSecurityToken            = credentials.EnvSecurityToken
	envDomainID                 = credentials.EnvDomainID
	envEndpoint                 = credentials.EnvCOCEndpoint
	envMaxRetries               = credentials.EnvMaxRetries
	envIAMEndpoint              = credentials.EnvIAMEndpoint
	envMetadataEndpoint         = credentials.EnvMetadataEndpoint
	envSharedConfigFile         = credentials.EnvSharedConfigFile
	envProfile                  = credentials.EnvProfile
	envAssumeRoleAgency         = credentials.EnvAssumeRoleAgency
	envAssumeRoleDomainName     = credentials.EnvAssumeRoleDomainName
	envAssumeRoleDomainID       = credentials.EnvAssumeRoleDomainID
	envAssumeRoleDuration       = credentials.EnvAssumeRoleDuration
	envIdpID                    = credentials.EnvIdpID
	envIDToken                  = credentials.EnvIDToken
	envIDTokenFile              = credentials.EnvIDTokenFile
	envHCPWorkloadIdentityToken = credentials.EnvHCPWorkloadIdentityToken
)

// The arguments' names, and the variable that turns the check on (or off) where the provider
// block does not say.
//
//nolint:gosec // G101: names, not credentials.
const (
	attrVerifyAppCredentials = "verify_app_credentials"
	attrWarRoomReadiness     = "war_room_readiness"
	attrPlatformEndpoints    = "platform_endpoints"
	envVerifyAppCredentials  = "COC_VERIFY_APP_CREDENTIALS"
	envWarRoomReadiness      = "COC_WAR_ROOM_READINESS"
)

// maxCredentialLength bounds the secret key, the security token and the identity token;
// temporary security tokens run to a few kilobytes.
const maxCredentialLength = 16 << 10

// IAM issues temporary credentials for 15 minutes to 24 hours (duration_seconds of
// POST /v3.0/OS-CREDENTIAL/securitytokens, for an agency as for a token).
const (
	minDuration = credentials.MinDuration
	maxDuration = credentials.MaxDuration
)

type providerModel struct {
	Region             types.String     `tfsdk:"region"`
	AccessKey          types.String     `tfsdk:"access_key"`
	SecretKey          types.String     `tfsdk:"secret_key"`
	SecurityToken      types.String     `tfsdk:"security_token"`
	DomainID           types.String     `tfsdk:"domain_id"`
	Endpoint           types.String     `tfsdk:"endpoint"`
	IAMEndpoint        types.String     `tfsdk:"iam_endpoint"`
	SharedConfigFile   types.String     `tfsdk:"shared_config_file"`
	Profile            types.String     `tfsdk:"profile"`
	MaxRetries         types.Int64      `tfsdk:"max_retries"`
	AssumeRole         *assumeRoleModel `tfsdk:"assume_role"`
	AssumeRoleWithOIDC *oidcModel       `tfsdk:"assume_role_with_oidc"`

	VerifyAppCredentials types.Bool   `tfsdk:"verify_app_credentials"`
	WarRoomReadiness     types.String `tfsdk:"war_room_readiness"`
	PlatformEndpoints    types.Object `tfsdk:"platform_endpoints"`
}

type assumeRoleModel struct {
	AgencyName types.String `tfsdk:"agency_name"`
	DomainName types.String `tfsdk:"domain_name"`
	DomainID   types.String `tfsdk:"domain_id"`
	Duration   types.Int64  `tfsdk:"duration"`
}

type oidcModel struct {
	IdpID       types.String `tfsdk:"idp_id"`
	IDToken     types.String `tfsdk:"id_token"`
	IDTokenFile types.String `tfsdk:"id_token_file"`
	AgencyName  types.String `tfsdk:"agency_name"`
	DomainID    types.String `tfsdk:"domain_id"`
	Duration    types.Int64  `tfsdk:"duration"`
}
