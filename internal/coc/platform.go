package coc

import (
	"fmt"
	"slices"
	"strings"
)

// AppType names a chat platform COC can open war rooms in.
type AppType string

const (
	WeCom    AppType = "wecom"
	DingTalk AppType = "dingtalk"
	Lark     AppType = "lark"
)

// Platform describes one app type's wire fields. It is the single source the client, the
// simulator and the provider derive their behaviour from, so a new platform is one more value.
type Platform struct {
	AppType AppType
	// Identifier is the wire name of the field that identifies the bound app; it cannot change.
	Identifier string
	// Secrets are never returned by the API.
	Secrets []string
	// Fields are the other, non-secret fields.
	Fields []string
}

var platforms = []Platform{
	{AppType: WeCom, Identifier: "enterprise_id", Secrets: []string{"enterprise_key", "address_book_key"}, Fields: []string{"service_id"}},
	{AppType: DingTalk, Identifier: "client_id", Secrets: []string{"client_secret"}, Fields: []string{"group_template_id", "robot_id", "service_id"}},
	{AppType: Lark, Identifier: "app_id", Secrets: []string{"app_secret"}, Fields: []string{"service_id"}},
}

// Platforms returns every supported platform in a stable order.
func Platforms() []Platform { return platforms }

// PlatformFor looks a platform up by app type.
func PlatformFor(t AppType) (Platform, error) {
	for _, p := range platforms {
		if p.AppType == t {
			return p, nil
		}
	}
	return Platform{}, fmt.Errorf("unknown app_type %q: expected one of %s", t, strings.Join(AppTypeNames(), ", "))
}

// AppTypeNames lists the supported app types.
func AppTypeNames() []string {
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = string(p.AppType)
	}
	return names
}

// NonSecretFields returns the identifier followed by the plain fields.
func (p Platform) NonSecretFields() []string {
	return append([]string{p.Identifier}, p.Fields...)
}

// IsSecret reports whether a wire field holds a secret.
func (p Platform) IsSecret(field string) bool {
	return slices.Contains(p.Secrets, field)
}
