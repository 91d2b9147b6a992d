{{/*
Helpers shared by the templates. A "component context" is a dict:
  root: the chart's top-level context ($), name: the component's key, c: its values.
*/}}

{{/* The release-wide name prefix, at most 63 characters. */}}
{{- define "seatcopilot.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one component's objects: <fullname>-<component>. */}}
{{- define "seatcopilot.componentName" -}}
{{- printf "%s-%s" (include "seatcopilot.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object of the release carries. */}}
{{- define "seatcopilot.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: seatcopilot
{{- end -}}

{{/* Selector labels of one component (stable across upgrades). */}}
{{- define "seatcopilot.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* All labels of one component's objects. */}}
{{- define "seatcopilot.labels" -}}
{{ include "seatcopilot.commonLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Selects every pod of this release (NetworkPolicy). */}}
{{- define "seatcopilot.releaseSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* registry/repository:tag of one component's image. */}}
{{- define "seatcopilot.image" -}}
{{- $repository := .c.image.repository -}}
{{- with .root.Values.image.registry }}{{ $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}{{ end -}}
{{- $tag := .c.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{/* Where generation reaches Triton: triton.grpcUrl, this release's Triton Service, or "" (no Triton:
generation runs its local CPU model). */}}
{{- define "seatcopilot.tritonUrl" -}}
{{- if .Values.triton.grpcUrl -}}
{{- .Values.triton.grpcUrl -}}
{{- else if .Values.triton.enabled -}}
{{- printf "%s-triton:%d" (include "seatcopilot.fullname" .) (int .Values.triton.grpcPort) -}}
{{- end -}}
{{- end -}}

{{/* The variables a component's HTTP server reads (each service names its own). */}}
{{- define "seatcopilot.httpVars" -}}
{{- $vars := dict "console" (list "CONSOLE_PORT" "CONSOLE_HOST") "intake" (list "INTAKE_HTTP_PORT" "INTAKE_HTTP_HOST") -}}
{{- $found := get $vars .name -}}
{{- if not $found -}}
{{- fail (printf "components.%s.httpPort: only intake and console serve HTTP" .name) -}}
{{- end -}}
{{- join "," $found -}}
{{- end -}}

{{/* Where existingSecret is mounted. */}}
{{- define "seatcopilot.secretMountPath" -}}/etc/seatcopilot/secret{{- end -}}

{{/* Seconds Kubernetes waits after SIGTERM: always longer than DRAIN_SECONDS. */}}
{{- define "seatcopilot.terminationGrace" -}}
{{- add (int .Values.drainSeconds) (int .Values.terminationGraceExtraSeconds) -}}
{{- end -}}

{{/*
The environment of one component, in three layers (a later layer wins): the chart's env, the settings
the chart derives (ports, global endpoints, drain), the component's env. Then NEO4J_PASSWORD and
VERDICT_KEYS from their existing Secrets, for the components that set neo4jPassword / verdictKeys (the others
never see them).
*/}}
{{- define "seatcopilot.env" -}}
{{- $root := .root -}}
{{- $derived := dict
      "GRPC_PORT" .c.grpcPort
      "METRICS_PORT" .c.metricsPort
      "LOG_LEVEL" $root.Values.logLevel
      "DRAIN_SECONDS" $root.Values.drainSeconds
      "KAFKA_BOOTSTRAP" $root.Values.kafka.bootstrap
      "KAFKA_TOPIC_PARTITIONS" $root.Values.kafka.topics.partitions
      "KAFKA_REPLICATION_FACTOR" $root.Values.kafka.topics.replication
      "NEO4J_URI" $root.Values.neo4j.uri
      "NEO4J_USER" $root.Values.neo4j.user
      "TRITON_GRPC_URL" (include "seatcopilot.tritonUrl" $root)
      "TRITON_MODEL" $root.Values.triton.model
      "OTEL_EXPORTER_OTLP_ENDPOINT" $root.Values.otlp.endpoint -}}
{{- if .c.httpPort -}}
{{- $vars := splitList "," (include "seatcopilot.httpVars" .) -}}
{{- $_ := set $derived (index $vars 0) .c.httpPort -}}
{{- $_ := set $derived (index $vars 1) "0.0.0.0" -}}
{{- end -}}
{{- $ingress := $root.Values.ingress -}}
{{- if and (eq .name "intake") $ingress.enabled $ingress.webhook.host -}}
{{- $_ := set $derived "INTAKE_PUBLIC_BASE_URL" (printf "%s://%s" (ternary "https" "http" (gt (len $ingress.tls) 0)) $ingress.webhook.host) -}}
{{- end -}}
{{- if $root.Values.grpcTls.existingSecret -}}
{{- $_ := set $derived "GRPC_TLS_DIR" (include "seatcopilot.grpcTlsPath" .) -}}
{{- $_ := set $derived "GRPC_HEALTH_PORT" $root.Values.grpcTls.healthPort -}}
{{- end -}}
{{- if eq (.c.audit | default "") "compliance" -}}
{{- $_ := set $derived "COMPLIANCE_AUDIT_DIR" (printf "%s/compliance" (include "seatcopilot.auditPath" .)) -}}
{{- $_ := set $derived "COMPLIANCE_AUDIT_KEY_FILE" (printf "%s/%s" (include "seatcopilot.auditKeyPath" .) $root.Values.audit.complianceKey) -}}
{{- else if eq (.c.audit | default "") "console" -}}
{{- $_ := set $derived "CONSOLE_AUDIT_DIR" (printf "%s/console" (include "seatcopilot.auditPath" .)) -}}
{{- $_ := set $derived "CONSOLE_AUDIT_KEY_FILE" (printf "%s/%s" (include "seatcopilot.auditKeyPath" .) $root.Values.audit.consoleKey) -}}
{{- end -}}
{{- if include "seatcopilot.kafkaSecured" . -}}
{{- $security := $root.Values.kafka.security -}}
{{- $_ := set $derived "KAFKA_SECURITY_PROTOCOL" $security.protocol -}}
{{- $_ := set $derived "KAFKA_SASL_MECHANISM" $security.mechanism -}}
{{- $_ := set $derived "KAFKA_SASL_USERNAME" (replace "{role}" (include "seatcopilot.kafkaRole" .) $security.username) -}}
{{- $_ := set $derived "KAFKA_SASL_PASSWORD_FILE" (printf "%s/password" (include "seatcopilot.kafkaCredentialsPath" .)) -}}
{{- if $security.caKey -}}
{{- $_ := set $derived "KAFKA_SSL_CAFILE" (printf "%s/ca.crt" (include "seatcopilot.kafkaCredentialsPath" .)) -}}
{{- end -}}
{{- end -}}
{{- if eq .name "generation" -}}
{{- $_ := set $derived "GENERATION_BACKEND" (ternary "triton" "local" (ne (include "seatcopilot.tritonUrl" $root) "")) -}}
{{- end -}}
{{- $env := merge (deepCopy (.c.env | default dict)) $derived (deepCopy $root.Values.env) -}}
{{- range $name, $value := $env }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end }}
{{- if .c.neo4jPassword }}
{{ include "seatcopilot.neo4jPasswordEnv" $root }}
{{- end }}
{{- if .c.verdictKeys }}
- name: VERDICT_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ required "verdicts.existingSecret is required" $root.Values.verdicts.existingSecret }}
      key: {{ $root.Values.verdicts.keysKey }}
{{- end }}
{{- end -}}

{{/* The gRPC probe of one component (Kubernetes' native grpc action on the gRPC port). */}}
{{- define "seatcopilot.grpcProbe" -}}
grpc:
  port: {{ .port }}
{{- with .service }}
  service: {{ . }}
{{- end }}
{{- range $key, $value := .probe }}
{{ $key }}: {{ $value }}
{{- end }}
{{- end -}}

{{/* envFrom of one component: extraEnvVarsSecret, then its envFrom list. */}}
{{- define "seatcopilot.envFrom" -}}
{{- with .c.extraEnvVarsSecret }}
- secretRef:
    name: {{ . }}
{{- end }}
{{- with .c.envFrom }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volumes of one component: /tmp, existingSecret, extraVolumes. */}}
{{- define "seatcopilot.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmpSizeLimit }}
{{- with .c.existingSecret }}
- name: existing-secret
  secret:
    secretName: {{ . }}
{{- end }}
{{- with .root.Values.grpcTls.existingSecret }}
- name: grpc-tls
  secret:
    secretName: {{ . }}
{{- end }}
{{- if .c.audit }}
- name: audit
  {{- if .root.Values.audit.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .root.Values.audit.persistence.existingClaim | default (printf "%s-audit" (include "seatcopilot.fullname" .root)) }}
  {{- else }}
  emptyDir: {}
  {{- end }}
- name: audit-key
  secret:
    secretName: {{ required "audit.existingSecret is required" .root.Values.audit.existingSecret }}
    defaultMode: 0400
{{- end }}
{{- include "seatcopilot.kafkaVolume" . }}
{{- with .c.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Where the audit volume and the audit keys are mounted (apart: the key never sits with the log). */}}
{{- define "seatcopilot.auditPath" -}}
/var/lib/seatcopilot/audit
{{- end -}}
{{- define "seatcopilot.auditKeyPath" -}}
/etc/seatcopilot/audit-key
{{- end -}}

{{/* Where the gRPC TLS Secret is mounted. */}}
{{- define "seatcopilot.grpcTlsPath" -}}
/etc/seatcopilot/grpc-tls
{{- end -}}

{{/* The port the probes ask gRPC health on: the plaintext health port with mutual TLS, else the gRPC port. */}}
{{- define "seatcopilot.probePort" -}}
{{- if .root.Values.grpcTls.existingSecret -}}{{ .root.Values.grpcTls.healthPort }}{{- else -}}{{ .c.grpcPort }}{{- end -}}
{{- end -}}

{{/* Volume mounts of one component. */}}
{{- define "seatcopilot.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .c.existingSecret }}
- name: existing-secret
  mountPath: {{ include "seatcopilot.secretMountPath" . }}
  readOnly: true
{{- end }}
{{- if .root.Values.grpcTls.existingSecret }}
- name: grpc-tls
  mountPath: {{ include "seatcopilot.grpcTlsPath" . }}
  readOnly: true
{{- end }}
{{- if .c.audit }}
- name: audit
  mountPath: {{ include "seatcopilot.auditPath" . }}
- name: audit-key
  mountPath: {{ include "seatcopilot.auditKeyPath" . }}
  readOnly: true
{{- end }}
{{- include "seatcopilot.kafkaVolumeMount" . }}
{{- with .c.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The Neo4j password from the existing Secret (components with neo4jPassword, and the graph-load Job). */}}
{{- define "seatcopilot.neo4jPasswordEnv" -}}
- name: NEO4J_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "neo4j.existingSecret is required" .Values.neo4j.existingSecret }}
      key: {{ .Values.neo4j.passwordKey }}
{{- end -}}


{{/* The role a pod logs in to Kafka as: the Job's or test's kafkaRole when the context has one (empty: the pod
does not use Kafka), else the component's name. */}}
{{- define "seatcopilot.kafkaRole" -}}
{{- if hasKey . "kafkaRole" -}}{{ .kafkaRole }}{{- else -}}{{ .name }}{{- end -}}
{{- end -}}

{{/* Non-empty when the pod logs in to Kafka with SASL_SSL. */}}
{{- define "seatcopilot.kafkaSecured" -}}
{{- if and (eq .root.Values.kafka.security.protocol "SASL_SSL") (include "seatcopilot.kafkaRole" .) -}}yes{{- end -}}
{{- end -}}

{{/* Where the pod's Kafka password and CA are mounted. */}}
{{- define "seatcopilot.kafkaCredentialsPath" -}}/etc/seatcopilot/kafka{{- end -}}

{{/* The pod's Kafka password (its role's key) and the brokers' CA, from kafka.security.existingSecret. */}}
{{- define "seatcopilot.kafkaVolume" -}}
{{- if include "seatcopilot.kafkaSecured" . }}
{{- $security := .root.Values.kafka.security }}
- name: kafka-credentials
  secret:
    secretName: {{ required "kafka.security.existingSecret is required with SASL_SSL" $security.existingSecret }}
    items:
      - key: {{ replace "{role}" (include "seatcopilot.kafkaRole" .) $security.passwordKey }}
        path: password
      {{- with $security.caKey }}
      - key: {{ . }}
        path: ca.crt
      {{- end }}
{{- end }}
{{- end -}}

{{- define "seatcopilot.kafkaVolumeMount" -}}
{{- if include "seatcopilot.kafkaSecured" . }}
- name: kafka-credentials
  mountPath: {{ include "seatcopilot.kafkaCredentialsPath" . }}
  readOnly: true
{{- end }}
{{- end -}}
