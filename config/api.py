from ninja import NinjaAPI

api = NinjaAPI(title="OwnerDesk API", version="1")
