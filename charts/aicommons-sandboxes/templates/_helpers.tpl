{{/*
Labels every object of this chart carries. Call with (dict "root" $ "project" $project), adding
"component" for objects that are not the oversight group's (default: oversight).
*/}}
{{- define "aicommons-sandboxes.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: aicommons
app.kubernetes.io/component: {{ .component | default "oversight" }}
aicommons.dev/city: {{ .root.Values.city | quote }}
aicommons.dev/project: {{ .project.slug | quote }}
{{- end }}
