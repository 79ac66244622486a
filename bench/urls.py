"""The site's URLs plus baseline views, served only by the benchmarks."""

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    """The least a Django view that stores a form can do: insert one row, answer 303."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (payload, created) VALUES (%s, now())",
            [request.POST.get("email", "")],
        )
    response = HttpResponse(status=303)
    response["Location"] = "/thanks/"
    return response


@require_POST
def form_checks_one_insert(request: HttpRequest, hand_over: bool = True) -> HttpResponse:
    """An upper bound for any way of storing a lead: everything the lead form does but store.

    The form's own work (CSRF, the rate limit, validation, the signed form token, visit
    metadata) and one hand-over to Celery on commit, with the bare view's one INSERT in place
    of the submission's transaction (person, lead, receipt, three chained consent records,
    outbox). No storage design can make the real form cheaper than this. Without the
    hand-over: the bound if messages waited for a poller instead.
    """
    from leads.forms import LeadForm
    from leads.models import LandingForm
    from leads.services import form_token_read
    from leads.views import FormPlace, _lead_visit
    from privacy.outbox.tasks import send_message
    from privacy.people.ratelimit import rate_limit_hit
    from privacy.people.visits import client_ip

    if rate_limit_hit(
        scope="lead-submit", key=client_ip(request) or "unknown", rate=settings.LEAD_RATE_LIMIT
    ):
        return HttpResponse(status=429)
    form = LeadForm(request.POST)
    if form.is_bot or not form.is_valid():
        return HttpResponse(status=400)
    # The form's own lookup of the default form, as the page does.
    place = FormPlace(landing_form=LandingForm.objects.default())
    _lead_visit(request, form_token_read(form.cleaned_data["form_token"]), place)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (payload, created) VALUES (%s, now())",
            [form.cleaned_data["email"]],
        )
        if hand_over:
            transaction.on_commit(lambda: send_message.apply_async(args=[0]))
    response = HttpResponse(status=303)
    response["Location"] = "/thanks/"
    return response


urlpatterns = [
    path("bench/bare-insert/", bare_insert),
    path("bench/form-checks-one-insert/", form_checks_one_insert),
    path(
        "bench/form-checks-one-insert-no-hand-over/",
        form_checks_one_insert,
        kwargs={"hand_over": False},
    ),
    path("", include("leadgen.urls")),
]
