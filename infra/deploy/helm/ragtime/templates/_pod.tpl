{{/*
Pod template shared by the api and the workers.
Call with (dict "root" $ "component" NAME "role" ROLE "spec" COMPONENT_VALUES "ports" LIST "probes" DICT).
*/}}
{{- define "ragtime.podTemplate" -}}
{{- $root := .root -}}
{{- $spec := .spec -}}
metadata:
  labels:
    {{- include "ragtime.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    ragtime.dev/role: {{ .role }}
    ragtime.dev/role-class: {{ if hasSuffix "-worker" .role }}worker{{ else }}{{ .role }}{{ end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- with $root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "ragtime.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $root.Values.image.pullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with $root.Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
    fsGroup: 10001
    seccompProfile:
      type: RuntimeDefault
  terminationGracePeriodSeconds: {{ $spec.terminationGracePeriodSeconds }}
  {{- if $root.Values.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range $root.Values.topologySpread.topologyKeys }}
    - maxSkew: 1
      topologyKey: {{ . }}
      whenUnsatisfiable: {{ $root.Values.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "ragtime.componentSelectorLabels" (dict "root" $root "component" $.component) | nindent 10 }}
    {{- end }}
  {{- end }}
  {{- with $root.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "ragtime.image" $root | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: [{{ .role | quote }}]
      ports:
        {{- toYaml .ports | nindent 8 }}
      envFrom:
        - configMapRef:
            name: {{ include "ragtime.fullname" $root }}-config
        - secretRef:
            name: {{ include "ragtime.secretName" $root }}
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        {{- range $key, $value := $spec.env }}
        - name: {{ $key }}
          value: {{ $value | quote }}
        {{- end }}
      {{- toYaml .probes | nindent 6 }}
      lifecycle:
        preStop:
          exec:
            # Lets endpoints and load balancers stop routing here before SIGTERM starts the drain.
            command: ["sleep", "{{ $spec.preStopSleepSeconds }}"]
      resources:
        {{- toYaml $spec.resources | nindent 8 }}
      securityContext:
        {{- include "ragtime.containerSecurityContext" $root | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
{{- end }}
