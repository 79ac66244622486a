"""The site's URLs plus a bare baseline view, served only by the benchmarks."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


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


urlpatterns = [
    path("bench/bare-insert/", bare_insert),
    path("", include("leadgen.urls")),
]
