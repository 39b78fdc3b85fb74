"""CI workflows `aicommons init` writes: GitHub Actions and GitLab CI for a city's repository.

Three jobs in each: validate on pull (merge) requests, drift nightly, deploy on merge to main
behind a manual approval. Secrets come only from the CI system's secret store and cloud
credentials only from OIDC role assumption; nothing secret is written into the files.

The templates use `<< >>` and `<% %>` as Jinja delimiters so that GitHub's `${{ }}` and
GitLab's `$VAR` pass through untouched. The output is a pure function of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, StrictUndefined

from aicommons import __version__
from aicommons.profile.model import CityProfile

GITHUB_WORKFLOW = ".github/workflows/aicommons.yml"
GITLAB_CI = ".gitlab-ci.yml"
PYTHON_VERSION = "3.12"
PULUMI_CLI_VERSION = "3.272.0"  # the engine; at least the pulumi SDK the tool is tested with
DEFAULT_SECRET_ENV = "AICOMMONS_OIDC_CLIENT_SECRET"

# Actions pinned to full commit SHAs (a tag can be moved; a commit cannot).
ACTIONS = {
    "checkout": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2",
    "setup_python": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0",
    "upload_sarif": "github/codeql-action/upload-sarif@5d4e8d1aca955e8d8589aabd499c5cae939e33c7  # v4.31.9",
    "aws_credentials": "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502  # v4.0.2",
    "upload_artifact": "actions/upload-artifact@65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08  # v4.6.0",
}


@dataclass(frozen=True)
class WorkflowInputs:
    """What the workflows need to know about the city."""

    slug: str
    provider: str
    region: str  # AWS only
    cluster: str  # the EKS cluster `aicommons render` names, AWS only
    secret_env: str
    profile_file: str = "profile.yaml"
    tool_version: str = __version__

    @classmethod
    def of(cls, profile: CityProfile, profile_file: str = "profile.yaml") -> WorkflowInputs:
        from aicommons.render.infra_aws import cluster_name

        on_aws = profile.target.provider == "aws"
        return cls(
            slug=profile.city.slug,
            provider=profile.target.provider,
            region=getattr(profile.target, "region", "") if on_aws else "",
            cluster=cluster_name(profile) if on_aws else "",
            secret_env=profile.identity.client_secret_env if profile.identity else DEFAULT_SECRET_ENV,
            profile_file=profile_file,
        )


def ci_workflows(inputs: WorkflowInputs) -> dict[str, str]:
    """The workflow files, by path relative to the city's repository."""
    env = Environment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML
        variable_start_string="<<",
        variable_end_string=">>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
    )
    values = {
        **inputs.__dict__,
        "aws": inputs.provider == "aws",
        "python_version": PYTHON_VERSION,
        "pulumi_version": PULUMI_CLI_VERSION,
        "actions": ACTIONS,
    }
    return {
        GITHUB_WORKFLOW: env.from_string(_GITHUB).render(values),
        GITLAB_CI: env.from_string(_GITLAB).render(values),
    }


_GITHUB = """\
# AI Commons for << slug >>: written by `aicommons init` (aicommons << tool_version >>).
#
#   pull request      validate the profile against the blueprint; results in code scanning
#   every night       drift: bundle vs profile, stacks vs cloud, live controls vs last deploy
#   merge to main     deploy, after a reviewer approves the `production` environment
#
# Set up once, in the repository's Settings:
#   Environments > production: add required reviewers (they approve every deploy).
#   Secrets (never in this file): PULUMI_CONFIG_PASSPHRASE, << secret_env >>.
#   Variables: PULUMI_BACKEND_URL (state shared by CI runs, e.g. s3://<< slug >>-pulumi-state)
<% if aws %>
#   and AWS_ROLE_ARN, a role this repository may assume through GitHub's OIDC provider.
<% else %>
#   and, for the live checks, the secret KUBECONFIG_DATA (a kubeconfig for a read-only auditor).
<% endif %>
name: aicommons

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "17 3 * * *"  # nightly drift check, 03:17 UTC
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: aicommons-${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: false  # never cancel a deploy half-way

env:
  AICOMMONS_VERSION: "<< tool_version >>"  # the version that wrote this file; upgrade on purpose
  PROFILE: << profile_file >>
<% if aws %>
  AWS_REGION: << region >>
  EKS_CLUSTER: << cluster >>
<% endif %>

jobs:
  validate:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      security-events: write  # upload SARIF to code scanning
    steps:
      - uses: << actions.checkout >>
      - uses: << actions.setup_python >>
        with:
          python-version: "<< python_version >>"
      - run: pip install "aicommons==${AICOMMONS_VERSION}"
      - run: aicommons validate "$PROFILE" --format sarif -o results.sarif
      - uses: << actions.upload_sarif >>
        if: always()
        with:
          sarif_file: results.sarif
          category: aicommons-validate

  drift:
    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      security-events: write
      id-token: write  # OIDC token for the cloud role
    env:
      PULUMI_BACKEND_URL: ${{ vars.PULUMI_BACKEND_URL }}
      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}
    steps:
      - uses: << actions.checkout >>
      - uses: << actions.setup_python >>
        with:
          python-version: "<< python_version >>"
      - run: pip install "aicommons==${AICOMMONS_VERSION}"
      - name: Install the Pulumi CLI
        run: |
          curl -fsSL https://get.pulumi.com | sh -s -- --version << pulumi_version >>
          echo "$HOME/.pulumi/bin" >> "$GITHUB_PATH"
<% if aws %>
      - uses: << actions.aws_credentials >>
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: ${{ env.AWS_REGION }}
      - name: Kubeconfig for the live checks
        run: |
          aws eks update-kubeconfig --name "$EKS_CLUSTER" --region "$AWS_REGION" || echo "no cluster yet: blueprint drift is skipped"
<% else %>
      - name: Kubeconfig for the live checks
        env:
          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG_DATA }}
        run: |
          if [ -n "$KUBECONFIG_DATA" ]; then
            mkdir -p ~/.kube && printf '%s' "$KUBECONFIG_DATA" > ~/.kube/config && chmod 600 ~/.kube/config
          fi
<% endif %>
      - run: aicommons drift "$PROFILE" --format sarif -o drift.sarif
      - uses: << actions.upload_sarif >>
        if: always()
        with:
          sarif_file: drift.sarif
          category: aicommons-drift
      - uses: << actions.upload_artifact >>
        if: always()
        with:
          name: ledger-drift-${{ github.run_id }}
          path: .aicommons/ledger.jsonl
          if-no-files-found: ignore

  deploy:
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
    environment: production  # required reviewers (Settings > Environments) approve before this runs
    permissions:
      contents: read
      id-token: write
    env:
      PULUMI_BACKEND_URL: ${{ vars.PULUMI_BACKEND_URL }}
      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}
      << secret_env >>: ${{ secrets.<< secret_env >> }}
    steps:
      - uses: << actions.checkout >>
      - uses: << actions.setup_python >>
        with:
          python-version: "<< python_version >>"
      - run: pip install "aicommons==${AICOMMONS_VERSION}"
      - name: Install the Pulumi CLI
        run: |
          curl -fsSL https://get.pulumi.com | sh -s -- --version << pulumi_version >>
          echo "$HOME/.pulumi/bin" >> "$GITHUB_PATH"
<% if aws %>
      - uses: << actions.aws_credentials >>
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: ${{ env.AWS_REGION }}
<% else %>
      - name: Kubeconfig of the cluster
        env:
          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG_DATA }}
        run: |
          mkdir -p ~/.kube && printf '%s' "$KUBECONFIG_DATA" > ~/.kube/config && chmod 600 ~/.kube/config
<% endif %>
      - run: aicommons deploy "$PROFILE" --yes
      - uses: << actions.upload_artifact >>
        if: always()
        with:
          name: ledger-deploy-${{ github.run_id }}
          path: .aicommons/ledger.jsonl
          if-no-files-found: ignore
"""

_GITLAB = """\
# AI Commons for << slug >>: written by `aicommons init` (aicommons << tool_version >>).
#
#   merge request     validate the profile against the blueprint; JUnit report in the MR
#   schedule          drift (create a nightly pipeline schedule in Build > Pipeline schedules)
#   merge to main     deploy, started by hand (a manual job) from the pipeline
#
# Set up once, in Settings > CI/CD > Variables (masked and protected; never in this file):
#   PULUMI_CONFIG_PASSPHRASE, << secret_env >>, PULUMI_BACKEND_URL (shared state, e.g.
<% if aws %>
#   s3://<< slug >>-pulumi-state) and AICOMMONS_AWS_ROLE_ARN, a role trusting GitLab's OIDC
#   provider. Protect the `production` environment to choose who may run the deploy.
<% else %>
#   s3://<< slug >>-pulumi-state) and KUBECONFIG_DATA (a file variable: the cluster's kubeconfig).
#   Protect the `production` environment to choose who may run the deploy.
<% endif %>
stages: [validate, drift, deploy]

variables:
  AICOMMONS_VERSION: "<< tool_version >>"  # the version that wrote this file; upgrade on purpose
  PROFILE: << profile_file >>
  PULUMI_VERSION: "<< pulumi_version >>"
<% if aws %>
  AWS_REGION: << region >>
  EKS_CLUSTER: << cluster >>
<% endif %>

default:
  image: python:<< python_version >>-slim
  before_script:
    - pip install "aicommons==${AICOMMONS_VERSION}"

.engine:
<% if aws %>
  id_tokens:
    AWS_ID_TOKEN:
      aud: sts.amazonaws.com
<% endif %>
  before_script:
    - apt-get update -qq && apt-get install -y -qq curl >/dev/null
    - pip install "aicommons==${AICOMMONS_VERSION}"
    - curl -fsSL https://get.pulumi.com | sh -s -- --version "$PULUMI_VERSION"
    - export PATH="$HOME/.pulumi/bin:$PATH"
<% if aws %>
    # AWS SDKs assume AWS_ROLE_ARN with the OIDC token in AWS_WEB_IDENTITY_TOKEN_FILE.
    - printf '%s' "$AWS_ID_TOKEN" > "$CI_BUILDS_DIR/aws-web-identity-token"
    - export AWS_WEB_IDENTITY_TOKEN_FILE="$CI_BUILDS_DIR/aws-web-identity-token"
    - export AWS_ROLE_ARN="$AICOMMONS_AWS_ROLE_ARN"
<% else %>
    - if [ -n "$KUBECONFIG_DATA" ]; then export KUBECONFIG="$KUBECONFIG_DATA"; fi
<% endif %>

validate:
  stage: validate
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - aicommons validate "$PROFILE" --format junit -o validate.xml
  artifacts:
    when: always
    reports:
      junit: validate.xml

drift:
  stage: drift
  extends: .engine
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
<% if aws %>
    - pip install -q "awscli>=1.33,<2"
    - aws eks update-kubeconfig --name "$EKS_CLUSTER" --region "$AWS_REGION" || echo "no cluster yet"
<% endif %>
    - aicommons drift "$PROFILE" --format junit -o drift.xml
  artifacts:
    when: always
    reports:
      junit: drift.xml
    paths:
      - .aicommons/ledger.jsonl

deploy:
  stage: deploy
  extends: .engine
  environment:
    name: production
  resource_group: production  # one deploy at a time
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"
      when: manual  # a person starts the deploy: the approval
      allow_failure: false
  script:
    - aicommons deploy "$PROFILE" --yes
  artifacts:
    when: always
    paths:
      - .aicommons/ledger.jsonl
"""
