from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Numbered pages; ``page`` and ``page_size`` must be positive integers when given.

    DRF quietly ignores a ``page_size`` it cannot read and treats an empty ``page`` as the first;
    the schema says both are integers, so anything else is a 400 naming the parameter (issue 15,
    found by fuzzing). A ``page_size`` over the maximum is served at the maximum.
    """

    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            values = request.query_params.getlist(name)
            if values and not (
                len(values) == 1 and values[0].isascii() and values[0].isdigit() and int(values[0])
            ):
                errors[name] = ["A positive whole number is required."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
