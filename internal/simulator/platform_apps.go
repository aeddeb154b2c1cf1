package simulator

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// What the platforms' read-only calls report about a registered app: the calls the war-room
// readiness checks make (internal/readiness), answered in platform_reads.go. An app registered
// without them is ready to open war rooms.

// WeComApp is what WeCom's agent/get and user/list_id report about a self-built app.
type WeComApp struct {
	// AgentID is the app's agent ID; empty takes any agent ID agent/get is asked about as the
	// app's.
	AgentID string `json:"agent_id,omitempty"`
	// Disabled makes agent/get report close 1.
	Disabled bool `json:"disabled,omitempty"`
	// VisibleDepartments are the departments the app is visible to (allow_partys.partyid); nil
	// means the root department (1) alone, which WeCom requires of an app that creates group
	// chats.
	VisibleDepartments []int `json:"visible_departments,omitempty"`
	// AddressBookAPIOff makes user/list_id answer 48002, as when the address book's API access
	// is off.
	AddressBookAPIOff bool `json:"address_book_api_off,omitempty"`
}

// DingTalkApp is what DingTalk's scene-group template list and app list report.
type DingTalkApp struct {
	// AgentID is the app's AgentId in the organisation's app list; empty means the example
	// service_id of DingTalk's description.
	AgentID string `json:"agent_id,omitempty"`
	// Disabled lists the app with appStatus 0.
	Disabled bool `json:"disabled,omitempty"`
	// SceneGroupTemplates are the organisation's scene-group template IDs, in the order listed;
	// nil means the example group_template_id of DingTalk's description alone.
	SceneGroupTemplates []string `json:"scene_group_templates,omitempty"`
}

// LarkApp is what Lark's bot/v3/info and application/v6/scopes report.
type LarkApp struct {
	// BotOff makes bot/v3/info answer an empty bot: the bot capability is off.
	BotOff bool `json:"bot_off,omitempty"`
	// BotActivateStatus is bot.activate_status; nil means 2, enabled and released.
	BotActivateStatus *int `json:"bot_activate_status,omitempty"`
	// IPAllowList is bot.ip_white_list: the addresses the app accepts calls from.
	IPAllowList []string `json:"ip_allow_list,omitempty"`
	// Scopes maps the app's scopes to their grant_status (1 granted, 2 not); nil means
	// im:chat:create granted.
	Scopes map[string]int `json:"scopes,omitempty"`
}

// platformAppState is what the reads report about one app: its platform's part, the others
// zero.
type platformAppState struct {
	wecom    WeComApp
	dingtalk DingTalkApp
	lark     LarkApp
}

var digitsOnly = regexp.MustCompile(`^[0-9]{1,19}$`)

// readState validates what c says the reads report and returns it, or ok false when c says
// nothing of it.
func (c AppCredentials) readState() (state platformAppState, ok bool, err error) {
	parts := map[platforms.AppType]bool{platforms.WeCom: c.WeCom != nil, platforms.DingTalk: c.DingTalk != nil, platforms.Lark: c.Lark != nil}
	for appType, set := range parts {
		if set && appType != c.AppType {
			return state, false, fmt.Errorf("%q describes a %s app; this app is a %s one", appType, appType, c.AppType)
		}
	}
	switch {
	case c.WeCom != nil:
		w := *c.WeCom
		if w.AgentID != "" && !digitsOnly.MatchString(w.AgentID) {
			return state, false, errors.New("wecom.agent_id must be digits")
		}
		if slices.ContainsFunc(w.VisibleDepartments, func(d int) bool { return d < 1 }) {
			return state, false, errors.New("wecom.visible_departments must be department IDs, 1 (the root) or more")
		}
		w.VisibleDepartments = slices.Clone(w.VisibleDepartments)
		state.wecom = w
	case c.DingTalk != nil:
		d := *c.DingTalk
		if d.AgentID != "" && !digitsOnly.MatchString(d.AgentID) {
			return state, false, errors.New("dingtalk.agent_id must be digits")
		}
		d.SceneGroupTemplates = slices.Clone(d.SceneGroupTemplates)
		state.dingtalk = d
	case c.Lark != nil:
		l := *c.Lark
		if l.BotActivateStatus != nil && (*l.BotActivateStatus < 0 || *l.BotActivateStatus > 6) {
			return state, false, errors.New("lark.bot_activate_status must be from 0 to 6, as Lark's activate_status")
		}
		for name, grant := range l.Scopes {
			if grant != 1 && grant != 2 {
				return state, false, fmt.Errorf("lark.scopes[%q] must be 1 (granted) or 2 (not granted)", name)
			}
		}
		l.IPAllowList, l.Scopes = slices.Clone(l.IPAllowList), maps.Clone(l.Scopes)
		if l.BotActivateStatus != nil {
			status := *l.BotActivateStatus
			l.BotActivateStatus = &status
		}
		state.lark = l
	default:
		return state, false, nil
	}
	return state, true, nil
}

// example is the example value of a field of a platform's description.
func example(t platforms.AppType, field string) string {
	f, _ := platforms.MustFor(t).Field(field)
	return f.Examples[0]
}
