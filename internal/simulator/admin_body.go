package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// The admin API is used by hand, with curl: a body it cannot use is answered with what is wrong
// and what it expects, in words, never in Go's own (no type names, no struct formatting).

// decodeJSON decodes a call's JSON body into v, refusing unknown fields and trailing data.
func decodeJSON(r *http.Request, v any) error {
	if err := decodeStrict(io.LimitReader(r.Body, maxRequestBytes), v); err != nil {
		return bodyProblem(err, reflect.TypeOf(v).Elem())
	}
	return nil
}

// bodyProblem words a decoding error of a body meant to be a t.
func bodyProblem(err error, t reflect.Type) error {
	var syntax *json.SyntaxError
	var wrongType *json.UnmarshalTypeError
	var badTime *time.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("the body is empty: expected %s", shape(t))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("the body ends before its JSON value does: expected %s", shape(t))
	case errors.As(err, &syntax):
		return fmt.Errorf("the body is not valid JSON: %s (at byte %d)", syntax.Error(), syntax.Offset)
	case errors.As(err, &wrongType):
		where := "the body"
		switch {
		case wrongType.Field != "":
			where = wrongType.Field
		case t.Kind() == reflect.Map && wrongType.Type == t.Elem():
			where = "each value"
		}
		return fmt.Errorf("%s must be %s, not %s: expected %s", where, kind(wrongType.Type), jsonValue(wrongType.Value), shape(t))
	case errors.As(err, &badTime):
		return fmt.Errorf("a time must be in RFC 3339 format, such as 2026-01-02T03:04:05Z, not %q", badTime.Value)
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s: expected %s", field, shape(t))
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// shape says what JSON a body of Go type t is: its kind and, for an object, its fields.
func shape(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct {
			return "a JSON array of objects, each with the fields " + strings.Join(jsonFields(t.Elem()), ", ")
		}
	case reflect.Struct:
		return "a JSON object with the fields " + strings.Join(jsonFields(t), ", ")
	case reflect.Map:
		return `a JSON object of names to ` + strings.TrimPrefix(kind(t.Elem()), "a ") + `s, such as {"name": "value"}`
	}
	return kind(t)
}

// kind names the JSON kind a Go type decodes from.
func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "a time in RFC 3339 format"
		}
	}
	return "an object"
}

// jsonValue names what json.UnmarshalTypeError says it found ("string", "number 1.5", "object").
func jsonValue(v string) string {
	switch {
	case v == "object" || v == "array":
		return "an " + v
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number "):
		return strings.TrimPrefix(v, "number ")
	}
	return "a " + v
}

// jsonFields lists a struct's JSON field names, embedded structs' included.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			out = append(out, jsonFields(f.Type)...)
		case name == "":
			out = append(out, f.Name)
		default:
			out = append(out, name)
		}
	}
	return out
}

// joinProblems words a binding's field errors as one sentence: "app_id is required; ...".
func joinProblems(problems []coc.FieldError) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.Field + " " + p.Reason
	}
	return strings.Join(parts, "; ")
}
