package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogLogger routes the COC client's logs to tflog, with the caller's context so that the
// masks set up by maskLogs apply to them too.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}

func (tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(ctx, msg, fields)
}

// maskLogs replaces every given value with *** wherever it would appear in a log message or
// field written with the returned context.
func maskLogs(ctx context.Context, values []string) context.Context {
	if len(values) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, values...)
	return tflog.MaskMessageStrings(ctx, values...)
}
