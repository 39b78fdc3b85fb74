{{/*
Chart name, truncated to the 63 characters a label value allows.
*/}}
{{- define "aicommons-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified name: <release>-<chart>, or the release name alone when it already
contains the chart name. Truncated to 63 characters.
*/}}
{{- define "aicommons-platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as used by the helm.sh/chart label.
*/}}
{{- define "aicommons-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every object of this chart carries.
*/}}
{{- define "aicommons-platform.labels" -}}
helm.sh/chart: {{ include "aicommons-platform.chart" . }}
app.kubernetes.io/name: {{ include "aicommons-platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: aicommons
aicommons.dev/city: {{ .Values.city | quote }}
{{- end }}

{{/*
Labels of an object that belongs to one tenant. Call with
(dict "root" $ "tenant" $tenant).
*/}}
{{- define "aicommons-platform.tenantLabels" -}}
{{ include "aicommons-platform.labels" .root }}
app.kubernetes.io/component: tenant
aicommons.dev/tenant: {{ .tenant.name | quote }}
{{- end }}

{{/*
Namespace of the audit ConfigMap.
*/}}
{{- define "aicommons-platform.auditNamespace" -}}
{{- default .Release.Namespace .Values.audit.namespace }}
{{- end }}

{{/*
Fails the render when two tenants share a name: each would silently overwrite the
other's quota and policies. The schema cannot express uniqueness by key.
*/}}
{{- define "aicommons-platform.validateTenants" -}}
{{- $seen := dict }}
{{- range .Values.tenants }}
{{- if hasKey $seen .name }}
{{- fail (printf "tenants: the name %q appears more than once" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- end }}

{{/*
A boolean tenant setting that defaults to true when absent, as "true" or "false".
Call with (list $tenant "key").
*/}}
{{- define "aicommons-platform.tenantFlag" -}}
{{- $tenant := index . 0 }}
{{- $key := index . 1 }}
{{- if hasKey $tenant $key }}
{{- index $tenant $key | toString }}
{{- else }}
{{- "true" }}
{{- end }}
{{- end }}
